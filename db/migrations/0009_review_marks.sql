CREATE TYPE "public"."review_state" AS ENUM('read', 'accepted', 'declined');--> statement-breakpoint
CREATE TABLE "review_marks" (
	"item_key" text NOT NULL,
	"office" text NOT NULL,
	"state" "review_state",
	"comment" text,
	"actor_id" integer,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_marks_item_key_office_pk" PRIMARY KEY("item_key","office")
);
--> statement-breakpoint
ALTER TABLE "review_marks" ADD CONSTRAINT "review_marks_actor_id_panel_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."panel_users"("id") ON DELETE set null ON UPDATE no action;