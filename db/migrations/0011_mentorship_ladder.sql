CREATE TABLE "mentorship_ladder_steps" (
	"pair_id" integer NOT NULL,
	"period_start" date NOT NULL,
	"step" text NOT NULL,
	"mentor_id" integer,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mentorship_ladder_steps_pair_id_period_start_step_pk" PRIMARY KEY("pair_id","period_start","step")
);
--> statement-breakpoint
ALTER TABLE "mentorship_ladder_steps" ADD CONSTRAINT "mentorship_ladder_steps_pair_id_mentorship_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."mentorship_pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentorship_ladder_steps" ADD CONSTRAINT "mentorship_ladder_steps_mentor_id_cadres_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."cadres"("id") ON DELETE set null ON UPDATE no action;