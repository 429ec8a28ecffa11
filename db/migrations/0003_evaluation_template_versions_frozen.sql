-- A questionnaire template version never changes once written: campaigns point at it and must
-- keep exactly the questions they opened with. Edits create a new version instead.
CREATE FUNCTION evaluation_template_version_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evaluation_template_versions rows are immutable; create a new version';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluation_template_versions_frozen
  BEFORE UPDATE ON evaluation_template_versions
  FOR EACH ROW EXECUTE FUNCTION evaluation_template_version_refuse_change();
