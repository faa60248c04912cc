"""What the deploy/ checks share: reporting problems, and the self-test that shows a check rejects
broken variants of what it checks (each variant must produce at least one problem)."""
import sys


def report(subject, found, valid_message, broken, check):
    """Prints `found` (one line each) or `valid_message`; then, when `broken` is given (pairs of
    what is broken and the arguments of `check`), shows each variant rejected. Exit status."""
    for problem in found:
        print(f"{subject}: {problem}", file=sys.stderr)
    if found:
        return 1
    print(f"{subject}: {valid_message}")
    missed = []
    for what, arguments in broken or []:
        caught = check(*arguments)
        print(f"  rejected, {what}: {caught[0] if caught else 'NOT CAUGHT'}")
        if not caught:
            missed.append(what)
    if missed:
        print(f"{subject}: the check accepted broken variants: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0
