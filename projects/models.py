# Projects, teams, milestones and micro-credentials arrive with the review and credentials issues.
