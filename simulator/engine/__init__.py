"""The conversation engine: director, actor and the session orchestrator. No UI, no storage."""
