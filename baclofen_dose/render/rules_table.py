"""The rules table: every rule with its value and source, as plain text or Markdown.

``docs/rules.md`` is the Markdown for the bundled rule set; a test keeps the two identical.
The plain text (``baclofen-dose rules``) leaves out URLs and the hash, so it passes the ISMP
display lint; the Markdown page carries them for reviewers.
"""

from __future__ import annotations

from baclofen_dose.core.rules import RuleSet
from baclofen_dose.render.text import rule_value

__all__ = ["rules_markdown", "rules_text"]


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def rules_markdown(rules: RuleSet) -> str:
    """Markdown listing every rule of ``rules`` (id, kind, value, population, policy, source)."""
    out = [
        f"# Rules: {rules.id} version {rules.version}",
        "",
        f"{rules.title}. Effective {rules.effective}. SHA-256 of the rule file: `{rules.sha256}`.",
        "",
        "Generated from the rule data by `baclofen-dose rules`; a test keeps this page identical "
        "to the data. Kinds: hard limits refuse, soft limits need an override with a reason, "
        "defaults apply when the caller does not choose, advice travels with every plan.",
        "",
        "| Rule id | Kind | Value | Population | Policy | Source | Where in the source "
        "| clinical.md |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule in rules:
        out.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    f"`{rule.id}`",
                    rule.kind.replace("_", " "),
                    rule_value(rule),
                    rule.population,
                    rule.policy or "all",
                    f"{rule.source.document} ({rule.source.key}; {rule.source.confidence})",
                    rule.section,
                    rule.clinical,
                )
            )
            + " |"
        )
    out += ["", "## Sources", ""]
    keys = sorted({rule.source.key for rule in rules})
    sources = {rule.source.key: rule.source for rule in rules}
    for key in keys:
        src = sources[key]
        out.append(f"- **{key}** ({src.confidence}): {src.document}; {src.edition}. <{src.url}>")
    return "\n".join(out) + "\n"


def rules_text(rules: RuleSet) -> str:
    """Every rule for people: id, value, kind, population and policy, then its citation."""
    out = [f"Rule set {rules.id} version {rules.version} (effective {rules.effective})", ""]
    for rule in rules:
        scope = f"{rule.kind.replace('_', ' ')}; {rule.population}"
        if rule.policy:
            scope += f"; policy {rule.policy}"
        out.append(f"- {rule.id}: {rule_value(rule)} ({scope})")
        out.append(f"  Source: {rule.citation}")
    return "\n".join(out) + "\n"
