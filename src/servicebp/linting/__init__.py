"""Lint rules for blueprints: design smells with codes, severities and rationales."""

from servicebp.linting._rules import RULES, Diagnostic, Rule, Severity, lint, select_rules

__all__ = ["RULES", "Diagnostic", "Rule", "Severity", "lint", "select_rules"]
