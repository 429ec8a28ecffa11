CREATE TYPE "public"."outbox_batch_status" AS ENUM('pending', 'sent', 'failed');--> statement-breakpoint
ALTER TYPE "public"."outbox_kind" ADD VALUE 'urgent';--> statement-breakpoint
CREATE TABLE "outbox_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"purpose" text NOT NULL,
	"dedupe_key" text,
	"msg_type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"open_ids" text[] NOT NULL,
	"sent_count" integer DEFAULT 0 NOT NULL,
	"invalid_open_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"lark_message_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" "outbox_batch_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_batches_dedupe_uq" ON "outbox_batches" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "outbox_batches_status_idx" ON "outbox_batches" USING btree ("status","created_at");