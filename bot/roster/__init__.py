"""The retiree roster: records, groups, import and export."""
