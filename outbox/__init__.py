"""Email that goes out from a job, once: the record of what went (SentEmail) and the way
to send under a key (outbox.mail.send_once). Below `aftercare` and `clients`: both use it,
and it imports neither."""
