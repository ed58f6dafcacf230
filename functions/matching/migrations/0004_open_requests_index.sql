-- expire-offers now also widens an open search left without any open offer (a pause withdrew them while another
-- transaction held the search), so every tick looks through the open searches, oldest first.
create index requests_open on matching.requests (updated_at) where state = 'open';
