"""Units: the agencies, schools, enterprises… of a commune that a learner may belong to.

Below every package that picks one (auth's users, ambassadors registering a citizen,
reports counting them), so all of them read units without importing upward.
"""
