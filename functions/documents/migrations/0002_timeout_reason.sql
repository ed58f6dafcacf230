-- A document whose reading outlives its deadline (a PDF that makes pdf.js spin, a huge OCR job) fails `timeout`,
-- a reason document.failed.v1 gained after 0001.
alter table documents.results drop constraint results_reason_check;
alter table documents.results add constraint results_reason_check
  check (reason in ('unsupported-kind', 'type-mismatch', 'corrupt', 'encrypted', 'too-large', 'unreadable', 'timeout'));
