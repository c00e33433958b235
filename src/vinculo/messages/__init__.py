"""Secure messages between agencies, in the spirit of Europol's SIENA.

A thread is a conversation between the sender's agency and one or more recipient agencies; only
they see it. Each message carries a handling code (H0-H3), a source evaluation (A/B/C/X, 1-4), a
priority, optional translations by the sender, references to records and hits (ids only, shown to
each reader through the sharing policy) and attachments (content-addressed, size-limited, typed by
their content). Reading leaves receipts; recipients acknowledge explicitly. Every act is on the
audit record; refusals raise ``MessageError`` carrying what the audit log needs.

Modules: ``threads`` (sending), ``reading`` (lists, threads, receipts, downloads), ``search``,
``attachments``, ``refs`` (records and hits referenced), ``drafts`` (checks on what is written).
"""

from vinculo.messages.attachments import AttachmentInfo, Download, Upload
from vinculo.messages.drafts import Draft
from vinculo.messages.errors import Forbidden, Invalid, MessageError, NotFound, TooLarge
from vinculo.messages.reading import (
    MessageView,
    Receipt,
    ThreadSummary,
    ThreadView,
    acknowledge,
    download,
    list_threads,
    open_thread,
)
from vinculo.messages.search import Filters, Found, search
from vinculo.messages.threads import Sent, create_thread, reply, thread_for_hit

__all__ = [
    "AttachmentInfo",
    "Download",
    "Draft",
    "Filters",
    "Forbidden",
    "Found",
    "Invalid",
    "MessageError",
    "MessageView",
    "NotFound",
    "Receipt",
    "Sent",
    "ThreadSummary",
    "ThreadView",
    "TooLarge",
    "Upload",
    "acknowledge",
    "create_thread",
    "download",
    "list_threads",
    "open_thread",
    "reply",
    "search",
    "thread_for_hit",
]
