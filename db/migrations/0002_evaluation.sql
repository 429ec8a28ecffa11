CREATE TYPE "public"."evaluation_ballot_source" AS ENUM('chat', 'web', 'public', 'paper');--> statement-breakpoint
CREATE TYPE "public"."evaluation_campaign_status" AS ENUM('draft', 'open', 'closed');--> statement-breakpoint
CREATE TYPE "public"."evaluation_kind" AS ENUM('routine', 'annual', 'special', 'end_of_term');--> statement-breakpoint
CREATE TYPE "public"."evaluation_overall_grade" AS ENUM('excellent', 'competent', 'basically_competent', 'incompetent');--> statement-breakpoint
CREATE TYPE "public"."evaluation_rater_category" AS ENUM('superior', 'peer', 'subordinate', 'public');--> statement-breakpoint
CREATE TABLE "evaluation_answers" (
	"ballot_id" uuid NOT NULL,
	"campaign_id" integer NOT NULL,
	"target_id" integer NOT NULL,
	"category" "evaluation_rater_category" NOT NULL,
	"item_key" text NOT NULL,
	"score" smallint NOT NULL,
	CONSTRAINT "evaluation_answers_ballot_id_item_key_pk" PRIMARY KEY("ballot_id","item_key")
);
--> statement-breakpoint
CREATE TABLE "evaluation_ballots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" integer NOT NULL,
	"target_id" integer NOT NULL,
	"category" "evaluation_rater_category" NOT NULL,
	"submitted_on" date NOT NULL,
	"source" "evaluation_ballot_source" NOT NULL,
	"flagged" boolean DEFAULT false NOT NULL,
	"overall_grade" "evaluation_overall_grade",
	"comment" text,
	"score_sum" integer NOT NULL,
	"answer_count" smallint NOT NULL,
	"level_counts" smallint[] NOT NULL,
	"item_scores" smallint[] NOT NULL,
	"paper_batch_id" integer
);
--> statement-breakpoint
CREATE TABLE "evaluation_campaigns" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evaluation_campaigns_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"title" text NOT NULL,
	"kind" "evaluation_kind" NOT NULL,
	"year" integer NOT NULL,
	"template_version_id" integer NOT NULL,
	"status" "evaluation_campaign_status" DEFAULT 'draft' NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"unit_ids" integer[] DEFAULT '{}'::int[] NOT NULL,
	"weights" jsonb NOT NULL,
	"reminder_plan" jsonb NOT NULL,
	"validity_rules" jsonb NOT NULL,
	"alert_rules" jsonb NOT NULL,
	"created_by" integer,
	"opened_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evaluation_campaigns_window" CHECK ("evaluation_campaigns"."closes_at" > "evaluation_campaigns"."opens_at")
);
--> statement-breakpoint
CREATE TABLE "evaluation_completions" (
	"campaign_id" integer NOT NULL,
	"cadre_id" integer NOT NULL,
	"category" "evaluation_rater_category" NOT NULL,
	CONSTRAINT "evaluation_completions_campaign_id_cadre_id_category_pk" PRIMARY KEY("campaign_id","cadre_id","category")
);
--> statement-breakpoint
CREATE TABLE "evaluation_paper_batches" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evaluation_paper_batches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"campaign_id" integer NOT NULL,
	"file_name" text NOT NULL,
	"file_sha256" text NOT NULL,
	"ballots" integer NOT NULL,
	"rows" integer NOT NULL,
	"imported_by" integer,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_public_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"category" "evaluation_rater_category" DEFAULT 'public' NOT NULL,
	"unit_id" integer,
	"used" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_raters" (
	"campaign_id" integer NOT NULL,
	"cadre_id" integer NOT NULL,
	"category" "evaluation_rater_category" NOT NULL,
	"target_ids" integer[] NOT NULL,
	CONSTRAINT "evaluation_raters_campaign_id_cadre_id_category_pk" PRIMARY KEY("campaign_id","cadre_id","category"),
	CONSTRAINT "evaluation_raters_no_self" CHECK (not ("evaluation_raters"."cadre_id" = any("evaluation_raters"."target_ids")))
);
--> statement-breakpoint
CREATE TABLE "evaluation_targets" (
	"campaign_id" integer NOT NULL,
	"cadre_id" integer NOT NULL,
	"unit_id" integer NOT NULL,
	CONSTRAINT "evaluation_targets_campaign_id_cadre_id_pk" PRIMARY KEY("campaign_id","cadre_id")
);
--> statement-breakpoint
CREATE TABLE "evaluation_template_versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evaluation_template_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"template_id" integer NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_templates" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evaluation_templates_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"key" text NOT NULL,
	"name" text NOT NULL,
	"built_in" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evaluation_answers" ADD CONSTRAINT "evaluation_answers_campaign_id_evaluation_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."evaluation_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_ballots" ADD CONSTRAINT "evaluation_ballots_campaign_id_evaluation_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."evaluation_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_ballots" ADD CONSTRAINT "evaluation_ballots_target_id_cadres_id_fk" FOREIGN KEY ("target_id") REFERENCES "public"."cadres"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_ballots" ADD CONSTRAINT "evaluation_ballots_paper_batch_id_evaluation_paper_batches_id_fk" FOREIGN KEY ("paper_batch_id") REFERENCES "public"."evaluation_paper_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_campaigns" ADD CONSTRAINT "evaluation_campaigns_template_version_id_evaluation_template_versions_id_fk" FOREIGN KEY ("template_version_id") REFERENCES "public"."evaluation_template_versions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_campaigns" ADD CONSTRAINT "evaluation_campaigns_created_by_panel_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."panel_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_completions" ADD CONSTRAINT "evaluation_completions_campaign_id_evaluation_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."evaluation_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_completions" ADD CONSTRAINT "evaluation_completions_cadre_id_cadres_id_fk" FOREIGN KEY ("cadre_id") REFERENCES "public"."cadres"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_paper_batches" ADD CONSTRAINT "evaluation_paper_batches_campaign_id_evaluation_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."evaluation_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_paper_batches" ADD CONSTRAINT "evaluation_paper_batches_imported_by_panel_users_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."panel_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_public_codes" ADD CONSTRAINT "evaluation_public_codes_campaign_id_evaluation_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."evaluation_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_public_codes" ADD CONSTRAINT "evaluation_public_codes_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_raters" ADD CONSTRAINT "evaluation_raters_campaign_id_evaluation_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."evaluation_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_raters" ADD CONSTRAINT "evaluation_raters_cadre_id_cadres_id_fk" FOREIGN KEY ("cadre_id") REFERENCES "public"."cadres"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_targets" ADD CONSTRAINT "evaluation_targets_campaign_id_evaluation_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."evaluation_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_targets" ADD CONSTRAINT "evaluation_targets_cadre_id_cadres_id_fk" FOREIGN KEY ("cadre_id") REFERENCES "public"."cadres"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_targets" ADD CONSTRAINT "evaluation_targets_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_template_versions" ADD CONSTRAINT "evaluation_template_versions_template_id_evaluation_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."evaluation_templates"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_template_versions" ADD CONSTRAINT "evaluation_template_versions_created_by_panel_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."panel_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluation_answers_tally_idx" ON "evaluation_answers" USING btree ("campaign_id","target_id","category","item_key","score");--> statement-breakpoint
CREATE INDEX "evaluation_ballots_target_idx" ON "evaluation_ballots" USING btree ("target_id","campaign_id");--> statement-breakpoint
CREATE INDEX "evaluation_campaigns_kind_year_idx" ON "evaluation_campaigns" USING btree ("kind","year");--> statement-breakpoint
CREATE INDEX "evaluation_campaigns_status_idx" ON "evaluation_campaigns" USING btree ("status","closes_at");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_paper_batches_file_uq" ON "evaluation_paper_batches" USING btree ("campaign_id","file_sha256");--> statement-breakpoint
CREATE INDEX "evaluation_public_codes_campaign_idx" ON "evaluation_public_codes" USING btree ("campaign_id","used");--> statement-breakpoint
CREATE INDEX "evaluation_raters_cadre_idx" ON "evaluation_raters" USING btree ("cadre_id");--> statement-breakpoint
CREATE INDEX "evaluation_targets_cadre_idx" ON "evaluation_targets" USING btree ("cadre_id");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_template_versions_uq" ON "evaluation_template_versions" USING btree ("template_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_templates_key_uq" ON "evaluation_templates" USING btree ("key");