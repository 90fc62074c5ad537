"""negotiate: scenario, games, bargaining, evidence, reports."""
