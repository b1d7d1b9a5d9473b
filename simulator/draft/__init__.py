"""``sparring draft``: a scenario draft from one real conversation, with its personal data replaced by fakes."""

from simulator.draft.drafting import TODO, Draft, DraftExists, draft_scenario, scenario_id_for, write_draft

__all__ = ["TODO", "Draft", "DraftExists", "draft_scenario", "scenario_id_for", "write_draft"]
