"""axe-core in a Playwright page: inject the vendored copy (tests/browser/vendor/axe.min.js,
axe-core 4.11.0 from npm, MPL-2.0) and run it.

The Content-Security-Policy refuses the injected script, so the page's context must be
made with `bypass_csp=True` (the axe context only: other tests keep the policy on).
"""

from pathlib import Path

AXE_SCRIPT = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING = ("serious", "critical")
# WCAG 2.x A and AA, plus axe's best practices (landmarks, one main, headings).
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def axe_violations(page, selector=None):
    """axe's serious and critical violations on the page (or inside `selector`)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        "([selector, options]) => axe.run(selector || document, options)",
        [selector, RUN_OPTIONS],
    )
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def describe(violations):
    """One line a violation and a line a node it found, for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']!r}"[:400])
    return "\n".join(lines)


def assert_accessible(page, selector=None):
    violations = axe_violations(page, selector)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"
