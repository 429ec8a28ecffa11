CREATE TYPE "public"."cadre_status" AS ENUM('active', 'seconded', 'on_leave', 'retired', 'departed');--> statement-breakpoint
CREATE TYPE "public"."gender" AS ENUM('male', 'female');--> statement-breakpoint
CREATE TYPE "public"."unit_kind" AS ENUM('district', 'subdistrict', 'park', 'bureau', 'office');--> statement-breakpoint
CREATE TYPE "public"."panel_role" AS ENUM('district_admin', 'unit_admin', 'partner', 'viewer');--> statement-breakpoint
CREATE TABLE "cadres" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "cadres_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"gender" "gender" NOT NULL,
	"birth_date" date NOT NULL,
	"unit_id" integer NOT NULL,
	"position" text NOT NULL,
	"rank" text NOT NULL,
	"is_leader" boolean DEFAULT false NOT NULL,
	"is_principal" boolean DEFAULT false NOT NULL,
	"education" text,
	"field" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"is_party_member" boolean DEFAULT true NOT NULL,
	"employee_no" text,
	"lark_open_id" text,
	"lark_user_id" text,
	"mobile" text,
	"status" "cadre_status" DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cadres_principal_is_leader" CHECK (not "cadres"."is_principal" or "cadres"."is_leader")
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "units_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"kind" "unit_kind" NOT NULL,
	"parent_id" integer,
	"lark_department_id" text,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "panel_users" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "panel_users_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "panel_role" NOT NULL,
	"unit_id" integer,
	"lark_open_id" text,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" integer,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text,
	"diff" jsonb,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "heartbeats" (
	"name" text PRIMARY KEY NOT NULL,
	"ran_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cadres" ADD CONSTRAINT "cadres_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_parent_id_units_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_users" ADD CONSTRAINT "panel_users_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_panel_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."panel_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cadres_unit_idx" ON "cadres" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "cadres_name_idx" ON "cadres" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "cadres_lark_open_id_uq" ON "cadres" USING btree ("lark_open_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cadres_lark_user_id_uq" ON "cadres" USING btree ("lark_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cadres_mobile_uq" ON "cadres" USING btree ("mobile");--> statement-breakpoint
CREATE UNIQUE INDEX "cadres_employee_no_uq" ON "cadres" USING btree ("employee_no");--> statement-breakpoint
CREATE INDEX "units_parent_idx" ON "units" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "units_lark_department_uq" ON "units" USING btree ("lark_department_id");--> statement-breakpoint
CREATE UNIQUE INDEX "units_sibling_name_uq" ON "units" USING btree (coalesce("parent_id", 0),"name");--> statement-breakpoint
CREATE UNIQUE INDEX "panel_users_username_uq" ON "panel_users" USING btree ("username");--> statement-breakpoint
CREATE UNIQUE INDEX "panel_users_lark_open_id_uq" ON "panel_users" USING btree ("lark_open_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity","entity_id");