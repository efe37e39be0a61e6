"""Real upstream payloads + faults a test sets → a local HTTP server that acts as Eurostat, DESI, Statbel."""
