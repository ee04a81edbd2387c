"""Legal records: leak incidents and their reports, third-party provision records, the record of
processing activities, and the mailings that tell people.
"""
