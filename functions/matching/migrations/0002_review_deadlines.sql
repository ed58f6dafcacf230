-- Reviews have deadlines too: reclaim-overdue takes back an accepted review that was never done, as it does an
-- opinion. Its search now covers both kinds of assignment, so the index does too.
create index assignments_due_any_kind on matching.assignments (due_at) where state = 'active';
drop index matching.assignments_due;
