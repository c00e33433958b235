"""Spanish and Portuguese person names: parsing, comparison and blocking keys.

>>> n = parse_person_name("GARCÍA MÁRQUEZ, Gabriel José")
>>> n.given, n.surnames, n.paternal, n.order
(('gabriel', 'jose'), ('garcia', 'marquez'), 'garcia', 'surnames_first')
"""

from vinculo.names.blocking import blocking_keys
from vinculo.names.compare import NameComparison, compare_names
from vinculo.names.parse import PersonName, parse_person_name, surname_core
from vinculo.names.phonetic import phonetic
from vinculo.names.variants import canonical_given, gendered_pair, given_name_variants

__all__ = [
    "NameComparison",
    "PersonName",
    "blocking_keys",
    "canonical_given",
    "compare_names",
    "gendered_pair",
    "given_name_variants",
    "parse_person_name",
    "phonetic",
    "surname_core",
]
