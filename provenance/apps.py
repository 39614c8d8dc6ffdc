from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "provenance"
    verbose_name = "Provenance: contribution records, Merkle log, C2PA labels, evidence"

    def ready(self) -> None:
        from provenance.keys import warn_if_embedded_kek

        warn_if_embedded_kek()
