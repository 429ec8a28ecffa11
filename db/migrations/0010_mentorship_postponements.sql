CREATE TABLE "mentorship_postponements" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mentorship_postponements_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"pair_id" integer NOT NULL,
	"mentor_id" integer NOT NULL,
	"reason" text NOT NULL,
	"new_date" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mentorship_postponements" ADD CONSTRAINT "mentorship_postponements_pair_id_mentorship_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."mentorship_pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_postponements" ADD CONSTRAINT "mentorship_postponements_mentor_id_cadres_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."cadres"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mentorship_postponements_pair_idx" ON "mentorship_postponements" USING btree ("pair_id","new_date");