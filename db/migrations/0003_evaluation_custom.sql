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
--> statement-breakpoint
-- Covering indexes (drizzle cannot declare INCLUDE): a campaign's slips and its answers are
-- tallied by index-only scans, for results within 300 ms at 300 targets × 100 raters.
CREATE INDEX evaluation_ballots_campaign_idx ON evaluation_ballots (campaign_id, target_id, category)
  INCLUDE (overall_grade, flagged, score_sum, answer_count, level_counts, item_scores);
