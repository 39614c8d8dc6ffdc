"""PostgreSQL triggers that keep the record append-only.

The models already refuse updates and deletes; the triggers refuse them for anything that
bypasses the ORM (raw SQL, another client). An event may receive exactly one update: its
log_index going from NULL to a value, when the log integrates it.
"""

from django.db import migrations

EVENT_GUARD = """
CREATE FUNCTION provenance_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'contribution events are append-only: delete refused' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.log_index IS NULL AND NEW.log_index IS NOT NULL
       AND (to_jsonb(NEW) - 'log_index') = (to_jsonb(OLD) - 'log_index') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'contribution events are append-only: update refused' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER provenance_event_append_only
    BEFORE UPDATE OR DELETE ON provenance_contributionevent
    FOR EACH ROW EXECUTE FUNCTION provenance_event_guard();
"""

IMMUTABLE_GUARD = """
CREATE FUNCTION provenance_immutable_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only: % refused', TG_TABLE_NAME, lower(TG_OP)
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER provenance_lognode_append_only
    BEFORE UPDATE OR DELETE ON provenance_lognode
    FOR EACH ROW EXECUTE FUNCTION provenance_immutable_guard();
CREATE TRIGGER provenance_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON provenance_checkpoint
    FOR EACH ROW EXECUTE FUNCTION provenance_immutable_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS provenance_event_append_only ON provenance_contributionevent;
DROP TRIGGER IF EXISTS provenance_lognode_append_only ON provenance_lognode;
DROP TRIGGER IF EXISTS provenance_checkpoint_append_only ON provenance_checkpoint;
DROP FUNCTION IF EXISTS provenance_event_guard();
DROP FUNCTION IF EXISTS provenance_immutable_guard();
"""


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EVENT_GUARD, params=None)
        schema_editor.execute(IMMUTABLE_GUARD, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("provenance", "0001_initial")]

    operations = [
        migrations.RunPython(install_triggers, drop_triggers),
    ]
