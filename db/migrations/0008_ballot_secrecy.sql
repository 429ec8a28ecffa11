-- Ballot secrecy while a campaign is open: slips wait sealed in evaluation_held_slips until they
-- can join the box in groups, and a slip no longer says when (submitted_on), how (source) or
-- from which paper file (paper_batch_id) it was cast.
CREATE TABLE "evaluation_held_slips" (
	"campaign_id" integer NOT NULL,
	"target_id" integer NOT NULL,
	"category" "evaluation_rater_category" NOT NULL,
	"sealed" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evaluation_ballots" DROP CONSTRAINT "evaluation_ballots_paper_batch_id_evaluation_paper_batches_id_fk";
--> statement-breakpoint
ALTER TABLE "evaluation_held_slips" ADD CONSTRAINT "evaluation_held_slips_campaign_id_evaluation_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."evaluation_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_held_slips" ADD CONSTRAINT "evaluation_held_slips_target_id_cadres_id_fk" FOREIGN KEY ("target_id") REFERENCES "public"."cadres"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluation_held_slips_group_idx" ON "evaluation_held_slips" USING btree ("campaign_id","target_id","category");--> statement-breakpoint
ALTER TABLE "evaluation_ballots" DROP COLUMN "submitted_on";--> statement-breakpoint
ALTER TABLE "evaluation_ballots" DROP COLUMN "source";--> statement-breakpoint
ALTER TABLE "evaluation_ballots" DROP COLUMN "paper_batch_id";--> statement-breakpoint
DROP TYPE "public"."evaluation_ballot_source";