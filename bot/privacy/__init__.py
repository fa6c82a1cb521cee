"""/forget: a person's data deleted across every feature, at their request.

Each feature deletes its own part through its public service (reports, support tickets,
broadcasts); this package decides the order, tells the person what happened and
folds the write-ahead log so that no older page image still names them.
"""
