"""Cross-matching: where two agencies hold data on the same person or object.

The pipeline: profile (the comparable form of a record) → blocking keys (candidates) →
comparison levels per feature → Fellegi–Sunter score, calibrated, with an explanation.
"""
