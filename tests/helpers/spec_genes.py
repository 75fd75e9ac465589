"""SPEC 5's canonical gene names, written independently of mc for the tests."""


def canonical_names(raw):
    """Upper-cased names in input order, a repeated name made unique as NAME-1, NAME-2, ...
    (skipping suffixes some other gene already has)."""
    upper = [n.upper() for n in raw]
    taken, seen, names = set(upper), {}, []
    for n in upper:
        if n in seen:
            j = seen[n]
            while "%s-%d" % (n, j) in taken:
                j += 1
            seen[n] = j + 1
            names.append("%s-%d" % (n, j))
            taken.add(names[-1])
        else:
            seen[n] = 1
            names.append(n)
    return names
