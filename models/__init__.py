"""The domain core of support24: data, rules and retention. No UI, no files but the database."""
