from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "provenance"
    verbose_name = "Provenance: contribution records, Merkle log, C2PA labels, evidence"
