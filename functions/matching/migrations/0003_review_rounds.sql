-- Every review round has a deadline, not just the first: after changes are requested, the author's resubmission
-- makes the reviewer's assignment active again with a fresh deadline (review-rounds.ts).

-- An opinion as matching sees it from opinions' events. Submission n of an opinion goes to review round n; the
-- reviewer owes a decision while more rounds were submitted than decided and none was approved. Counting rounds,
-- not trusting arrival order, keeps a late or repeated event from reopening a finished review.
create table matching.opinions (
  id text primary key,
  case_id text not null,
  submissions integer not null default 0,
  decided_round integer not null default 0,
  approved boolean not null default false,
  -- Who made the latest decision: the reviewer a resubmission goes back to.
  reviewer_id text
);

-- The opinion's review round the search's reviewer owes (set when a resubmission reopens the review); null while it
-- is the first, whose number is the request's round. review.revoked.v1 reports it.
alter table matching.requests add column review_round integer;
