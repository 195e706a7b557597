-- Which replica made each webhook attempt (the process id its leases and signals
-- carry), so an operator can follow a delivery across replicas and a test can check
-- that no two replicas ever ran the dispatcher at once.
ALTER TABLE webhook_attempts ADD COLUMN replica TEXT;
