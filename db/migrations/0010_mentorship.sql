CREATE TYPE "public"."mentorship_cadence" AS ENUM('weekly', 'fortnightly', 'monthly');--> statement-breakpoint
CREATE TYPE "public"."mentorship_checkin_status" AS ENUM('submitted', 'confirmed', 'disputed');--> statement-breakpoint
CREATE TYPE "public"."mentorship_form" AS ENUM('face_to_face', 'online', 'on_the_job');--> statement-breakpoint
CREATE TYPE "public"."mentorship_goal_status" AS ENUM('open', 'in_progress', 'met', 'dropped');--> statement-breakpoint
CREATE TYPE "public"."mentorship_role" AS ENUM('mentor', 'mentee');--> statement-breakpoint
CREATE TYPE "public"."mentorship_shape" AS ENUM('one_to_one', 'one_to_many', 'many_to_one');--> statement-breakpoint
CREATE TYPE "public"."mentorship_status" AS ENUM('active', 'paused', 'ended');--> statement-breakpoint
CREATE TABLE "mentorship_checkins" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mentorship_checkins_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"pair_id" integer NOT NULL,
	"mentor_id" integer NOT NULL,
	"met_on" date NOT NULL,
	"form" "mentorship_form" NOT NULL,
	"topics" text NOT NULL,
	"next_step" text,
	"status" "mentorship_checkin_status" DEFAULT 'submitted' NOT NULL,
	"mentee_note" text,
	"answered_by" integer,
	"answered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mentorship_goals" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mentorship_goals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"pair_id" integer NOT NULL,
	"title" text NOT NULL,
	"status" "mentorship_goal_status" DEFAULT 'open' NOT NULL,
	"position" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mentorship_ladder_steps" (
	"pair_id" integer NOT NULL,
	"period_start" date NOT NULL,
	"step" text NOT NULL,
	"mentor_id" integer,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mentorship_ladder_steps_pair_id_period_start_step_pk" PRIMARY KEY("pair_id","period_start","step")
);
--> statement-breakpoint
CREATE TABLE "mentorship_members" (
	"pair_id" integer NOT NULL,
	"cadre_id" integer NOT NULL,
	"role" "mentorship_role" NOT NULL,
	"position" smallint DEFAULT 0 NOT NULL,
	CONSTRAINT "mentorship_members_pair_id_cadre_id_pk" PRIMARY KEY("pair_id","cadre_id")
);
--> statement-breakpoint
CREATE TABLE "mentorship_pairs" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mentorship_pairs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"shape" "mentorship_shape" NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date,
	"cadence" "mentorship_cadence" NOT NULL,
	"status" "mentorship_status" DEFAULT 'active' NOT NULL,
	"pause_reason" text,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mentorship_pairs_period" CHECK ("mentorship_pairs"."ends_on" is null or "mentorship_pairs"."starts_on" <= "mentorship_pairs"."ends_on"),
	CONSTRAINT "mentorship_pairs_pause_reason" CHECK (("mentorship_pairs"."status" = 'paused') = ("mentorship_pairs"."pause_reason" is not null))
);
--> statement-breakpoint
CREATE TABLE "mentorship_pauses" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mentorship_pauses_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"pair_id" integer NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mentorship_postponements" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mentorship_postponements_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"pair_id" integer NOT NULL,
	"mentor_id" integer NOT NULL,
	"reason" text NOT NULL,
	"new_date" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mentorship_progress" (
	"checkin_id" integer NOT NULL,
	"goal_id" integer NOT NULL,
	"level" smallint NOT NULL,
	CONSTRAINT "mentorship_progress_checkin_id_goal_id_pk" PRIMARY KEY("checkin_id","goal_id"),
	CONSTRAINT "mentorship_progress_level" CHECK ("mentorship_progress"."level" between 1 and 4)
);
--> statement-breakpoint
ALTER TABLE "mentorship_checkins" ADD CONSTRAINT "mentorship_checkins_pair_id_mentorship_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."mentorship_pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_checkins" ADD CONSTRAINT "mentorship_checkins_mentor_id_cadres_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."cadres"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_checkins" ADD CONSTRAINT "mentorship_checkins_answered_by_cadres_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."cadres"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_goals" ADD CONSTRAINT "mentorship_goals_pair_id_mentorship_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."mentorship_pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_ladder_steps" ADD CONSTRAINT "mentorship_ladder_steps_pair_id_mentorship_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."mentorship_pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_ladder_steps" ADD CONSTRAINT "mentorship_ladder_steps_mentor_id_cadres_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."cadres"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_members" ADD CONSTRAINT "mentorship_members_pair_id_mentorship_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."mentorship_pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_members" ADD CONSTRAINT "mentorship_members_cadre_id_cadres_id_fk" FOREIGN KEY ("cadre_id") REFERENCES "public"."cadres"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_pairs" ADD CONSTRAINT "mentorship_pairs_created_by_panel_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."panel_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_pauses" ADD CONSTRAINT "mentorship_pauses_pair_id_mentorship_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."mentorship_pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_postponements" ADD CONSTRAINT "mentorship_postponements_pair_id_mentorship_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."mentorship_pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_postponements" ADD CONSTRAINT "mentorship_postponements_mentor_id_cadres_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."cadres"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_progress" ADD CONSTRAINT "mentorship_progress_checkin_id_mentorship_checkins_id_fk" FOREIGN KEY ("checkin_id") REFERENCES "public"."mentorship_checkins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_progress" ADD CONSTRAINT "mentorship_progress_goal_id_mentorship_goals_id_fk" FOREIGN KEY ("goal_id") REFERENCES "public"."mentorship_goals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mentorship_checkins_pair_idx" ON "mentorship_checkins" USING btree ("pair_id","status","met_on");--> statement-breakpoint
CREATE INDEX "mentorship_goals_pair_idx" ON "mentorship_goals" USING btree ("pair_id");--> statement-breakpoint
CREATE INDEX "mentorship_members_cadre_idx" ON "mentorship_members" USING btree ("cadre_id");--> statement-breakpoint
CREATE INDEX "mentorship_pairs_status_idx" ON "mentorship_pairs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "mentorship_pauses_pair_idx" ON "mentorship_pauses" USING btree ("pair_id");--> statement-breakpoint
CREATE INDEX "mentorship_postponements_pair_idx" ON "mentorship_postponements" USING btree ("pair_id","new_date");