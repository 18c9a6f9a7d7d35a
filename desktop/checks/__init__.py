"""一致性检查: consistency rules over a report's claims and score tables → findings.

- :mod:`desktop.checks.model` — what rules read (:class:`ReportInput`, :class:`ClaimRef`) and return
  (:class:`Finding`: rule, severity 错误 / 警告 / 舍入差异 as codes, message code + parameters, claims, cells,
  values, where);
- :mod:`desktop.checks.engine` — the registry and :func:`run_checks`;
- ``rules_prose`` / ``rules_sense`` / ``rules_dates`` / ``rules_table`` — the rules, one small function each;
- :mod:`desktop.checks.profiles` — scoring rules by place, as data (``resources/check_profiles``);
- :mod:`desktop.checks.files` — checking a report file without a workspace;
- :mod:`desktop.checks.queries` — a workspace's findings (with their dismissals), for the CLI, the GUI and
  the package's 完整性报告; :mod:`desktop.checks.service` — dismissing and restoring a finding (audited).

Wording lives in :mod:`desktop.text.checks`.
"""
