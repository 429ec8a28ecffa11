CREATE TYPE "public"."absence_kind" AS ENUM('leave', 'training', 'secondment', 'other');--> statement-breakpoint
CREATE TYPE "public"."calendar_day_kind" AS ENUM('holiday', 'workday');--> statement-breakpoint
CREATE TABLE "cadre_absences" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "cadre_absences_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"cadre_id" integer NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"kind" "absence_kind" NOT NULL,
	"note" text,
	"source" text DEFAULT 'panel' NOT NULL,
	"lark_approval_id" text,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cadre_absences_order" CHECK ("cadre_absences"."starts_on" <= "cadre_absences"."ends_on")
);
--> statement-breakpoint
CREATE TABLE "work_calendar_days" (
	"date" date PRIMARY KEY NOT NULL,
	"kind" "calendar_day_kind" NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_calendar_years" (
	"year" integer PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"updated_by" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cadre_absences" ADD CONSTRAINT "cadre_absences_cadre_id_cadres_id_fk" FOREIGN KEY ("cadre_id") REFERENCES "public"."cadres"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cadre_absences" ADD CONSTRAINT "cadre_absences_created_by_panel_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."panel_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_calendar_years" ADD CONSTRAINT "work_calendar_years_updated_by_panel_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."panel_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cadre_absences_cadre_idx" ON "cadre_absences" USING btree ("cadre_id","starts_on");--> statement-breakpoint
CREATE UNIQUE INDEX "cadre_absences_lark_uq" ON "cadre_absences" USING btree ("lark_approval_id");