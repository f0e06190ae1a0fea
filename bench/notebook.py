#!/usr/bin/python3
"""bench/notebook.py - the yardstick for `signinlens analyze`: what a data-literate auditor
would write in a notebook to answer the Summary's six standard questions from a
diagnostic-settings export, with pandas and openpyxl (Debian: python3-pandas,
python3-openpyxl).

    bench/notebook.py FOLDER REPORT.xlsx

Reads every *.json file under FOLDER (JSON lines, one diagnostic record per line), keeps
the sign-in categories, takes from each record's `properties` the 14 fields the questions
read into one DataFrame, answers the questions over the same windows as signinlens (as of
the latest sign-in; users per application over 7 days, failed sign-ins over 24 hours, the
rest over everything), writes one workbook (a Summary sheet with the six answers and one sheet
per question) and prints the answers.

It does less than signinlens on purpose: no hashing, no de-duplication, no accounting,
no detections, only the columns the six questions read. The benchmark compares wall clocks.
"""
import json
import os
import sys

import pandas as pd
from openpyxl import Workbook

LOG_TYPES = {
    "SignInLogs": "interactiveUser",
    "NonInteractiveUserSignInLogs": "nonInteractiveUser",
    "ServicePrincipalSignInLogs": "servicePrincipal",
    "ManagedIdentitySignInLogs": "managedIdentity",
}
USER_TYPES = ("interactiveUser", "nonInteractiveUser")
WORKLOAD_TYPES = ("servicePrincipal", "managedIdentity")


# The fields the six questions read, as (column, path inside properties).
FIELDS = [
    ("createdDateTime", ("createdDateTime",)),
    ("userId", ("userId",)),
    ("userPrincipalName", ("userPrincipalName",)),
    ("appId", ("appId",)),
    ("appDisplayName", ("appDisplayName",)),
    ("resourceId", ("resourceId",)),
    ("resourceDisplayName", ("resourceDisplayName",)),
    ("servicePrincipalId", ("servicePrincipalId",)),
    ("servicePrincipalName", ("servicePrincipalName",)),
    ("ipAddress", ("ipAddress",)),
    ("errorCode", ("status", "errorCode")),
    ("failureReason", ("status", "failureReason")),
    ("browser", ("deviceDetail", "browser")),
    ("operatingSystem", ("deviceDetail", "operatingSystem")),
]


def pick(props, path):
    for k in path:
        if not isinstance(props, dict):
            return None
        props = props.get(k)
    return props


def read_folder(folder):
    """Every sign-in record under folder: the fields the questions read, plus log_type."""
    rows = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(root, name), encoding="utf-8-sig") as f:
                for line in f:
                    if not line.strip():
                        continue
                    rec = json.loads(line)
                    log_type = LOG_TYPES.get(rec.get("category"))
                    if log_type is None:
                        continue
                    props = rec.get("properties") or {}
                    rows.append([pick(props, path) for _, path in FIELDS] + [log_type])
    df = pd.DataFrame(rows, columns=[c for c, _ in FIELDS] + ["log_type"])
    df["createdDateTime"] = pd.to_datetime(df["createdDateTime"], utc=True)
    df["errorCode"] = pd.to_numeric(df["errorCode"], errors="coerce").fillna(0).astype("int64")
    return df


def app_users(users, as_of):
    w = users[users.createdDateTime > as_of - pd.Timedelta(days=7)]
    g = w.groupby("appId", dropna=False)
    t = pd.DataFrame({
        "app_display_name": g.appDisplayName.max(),
        "users_signed_in": w[w.errorCode == 0].groupby("appId").userId.nunique(),
        "users_attempted": g.userId.nunique(),
        "sign_ins": g.size(),
        "failed_sign_ins": g.errorCode.apply(lambda s: int((s != 0).sum())),
    }).fillna({"users_signed_in": 0}).reset_index()
    t["users_signed_in"] = t.users_signed_in.astype("int64")
    t = t.sort_values(["users_signed_in", "sign_ins", "app_display_name", "appId"], ascending=[False, False, True, True])
    top = t.iloc[0]
    answer = f"{top.users_signed_in:,} users signed into {top.app_display_name} in the last 7 days (the most of the {len(t)} applications users signed in to or tried)"
    return t, answer


def failed_signins(users, as_of):
    w = users[(users.createdDateTime > as_of - pd.Timedelta(hours=24)) & (users.errorCode != 0)]
    g = w.groupby("errorCode")
    t = pd.DataFrame({
        "meaning": g.failureReason.max(),
        "failures": g.size(),
        "users": g.userId.nunique(),
        "ips": g.ipAddress.nunique(),
        "first_seen": g.createdDateTime.min(),
        "last_seen": g.createdDateTime.max(),
    }).reset_index().sort_values(["failures", "errorCode"], ascending=[False, True])
    answer = f"{len(w):,} user sign-ins failed (non-zero error code) in the last 24 hours"
    if len(t):
        answer += f"; most often {t.iloc[0].errorCode} ({t.iloc[0].failures:,})"
    return t, answer


def families(users, column, family, noun):
    v = users[column].fillna("").str.strip()
    if family:
        v = v.str.replace(r"\s+[0-9][0-9.]*$", "", regex=True)
    v = v.where(v != "", "(unknown)")
    d = users.assign(value=v)
    g = d.groupby("value")
    t = pd.DataFrame({
        "sign_ins": g.size(),
        "users": g.userId.nunique(),
        "failed_sign_ins": g.errorCode.apply(lambda s: int((s != 0).sum())),
    }).reset_index().rename(columns={"value": noun.replace(" ", "_")})
    t = t.sort_values(["sign_ins", t.columns[0]], ascending=[False, True])
    total = int(t.sign_ins.sum())
    first = t.iloc[0]
    answer = f"Most user sign-ins came from the {noun} {first.iloc[0]}: {first.sign_ins:,} of {total:,} ({round(100 * first.sign_ins / total)}%)"
    if len(t) > 1:
        answer += f"; next {t.iloc[1].iloc[0]} ({t.iloc[1].sign_ins:,})"
    return t, answer


def workload_access(df):
    w = df[df.log_type.isin(WORKLOAD_TYPES)]
    g = w.groupby(["log_type", "servicePrincipalId", "appId", "resourceId"], dropna=False)
    t = pd.DataFrame({
        "service_principal_name": g.servicePrincipalName.max(),
        "resource_display_name": g.resourceDisplayName.max(),
        "sign_ins": g.size(),
        "failed_sign_ins": g.errorCode.apply(lambda s: int((s != 0).sum())),
        "first_seen": g.createdDateTime.min(),
        "last_seen": g.createdDateTime.max(),
    }).reset_index()
    t = t.sort_values(["log_type", "service_principal_name", "servicePrincipalId", "sign_ins"], ascending=[False, True, True, False])
    sps = w[w.log_type == "servicePrincipal"].servicePrincipalId.nunique()
    mis = w[w.log_type == "managedIdentity"].servicePrincipalId.nunique()
    answer = (f"{sps} service principals and {mis} managed identities signed in to {w.resourceId.nunique()} resources "
              f"({len(w):,} sign-ins); {int((w.errorCode != 0).sum()):,} failed")
    return t, answer


def who_how_what(users):
    key = users.userId.fillna(users.userPrincipalName.str.lower())
    d = users.assign(who=key)
    g = d.groupby(["who", "appId", "resourceId"], dropna=False)
    t = pd.DataFrame({
        "user_principal_name": g.userPrincipalName.max(),
        "app_display_name": g.appDisplayName.max(),
        "resource_display_name": g.resourceDisplayName.max(),
        "sign_ins": g.size(),
        "failed_sign_ins": g.errorCode.apply(lambda s: int((s != 0).sum())),
        "last_seen": g.createdDateTime.max(),
    }).reset_index(drop=True)
    t = t.sort_values(["user_principal_name", "app_display_name", "resource_display_name", "sign_ins"], ascending=[True, True, True, False])
    busiest = t.loc[t.sign_ins.idxmax()]
    answer = (f"{users.userPrincipalName.nunique()} users reached {users.resourceDisplayName.nunique()} resources through "
              f"{users.appDisplayName.nunique()} applications ({len(users):,} sign-ins, {len(t):,} user-app-resource combinations); "
              f"busiest: {busiest.user_principal_name} via {busiest.app_display_name} to {busiest.resource_display_name} ({busiest.sign_ins:,})")
    return t, answer


def write_workbook(path, answers, tables):
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws.append(["The standard questions, answered"])
    for a in answers:
        ws.append([a])
    for name, t in tables:
        ws = wb.create_sheet(name)
        ws.append(list(t.columns))
        for row in t.itertuples(index=False):
            ws.append([v.tz_convert(None).to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row])
        ws.auto_filter.ref = ws.dimensions
        ws.freeze_panes = "A2"
    wb.save(path)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: notebook.py FOLDER REPORT.xlsx")
    df = read_folder(sys.argv[1])
    as_of = df.createdDateTime.max()
    users = df[df.log_type.isin(USER_TYPES)]
    tables, answers = [], []
    for name, (t, a) in [
        ("Users per application", app_users(users, as_of)),
        ("Failed sign-ins", failed_signins(users, as_of)),
        ("Browsers", families(users, "browser", True, "browser")),
        ("Operating systems", families(users, "operatingSystem", False, "operating system")),
        ("Workload identities", workload_access(df)),
        ("Who how what", who_how_what(users)),
    ]:
        tables.append((name, t))
        answers.append(a)
    write_workbook(sys.argv[2], answers, tables)
    print(f"{len(df):,} sign-ins as of {as_of}")
    for a in answers:
        print(a)


if __name__ == "__main__":
    main()
