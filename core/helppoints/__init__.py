"""The help point registry (WIN-punten, RNI desks, information and expat centres, mobile points).

``registry``: the points' CSV columns, import, export and the seed; ``search``: the nearest points and the
points of a region for a user's spot (core.locate); ``display``: what a point's fields look like to a user.
Nothing is re-exported here: import from the module that has the name.
"""
