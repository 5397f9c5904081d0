# The seed walkthrough with boto3, unchanged SageMaker Feature Store code pointed at a running
# Floe: only the endpoint and the credentials differ.
#
#   npx floe serve                       # prints its URL and where the admin key is
#   FLOE_ENDPOINT=http://127.0.0.1:8080 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
#     python3 examples/seed_walkthrough_boto3.py
#
# `npm test` runs it against a server it starts (python3 with boto3 installed).
import json
import os
import time

import boto3

# The only Floe-specific lines: where the server is and its key (from `floe keys create`).
config = dict(
    endpoint_url=os.environ.get("FLOE_ENDPOINT", "http://127.0.0.1:8080"),
    region_name=os.environ.get("AWS_REGION", "us-east-1"),
)
sagemaker = boto3.client("sagemaker", **config)
runtime = boto3.client("sagemaker-featurestore-runtime", **config)
GROUP = "user-feature-group"


def record(values):
    return [
        {"FeatureName": name, "ValueAsStringList": v} if isinstance(v, list) else {"FeatureName": name, "ValueAsString": v}
        for name, v in values.items()
    ]


def plain(features):
    return {f["FeatureName"]: f.get("ValueAsStringList", f.get("ValueAsString")) for f in features or []}


def compact(value):
    return json.dumps(value, separators=(",", ":"))


try:
    sagemaker.describe_feature_group(FeatureGroupName=GROUP)
    sagemaker.delete_feature_group(FeatureGroupName=GROUP)
except sagemaker.exceptions.ResourceNotFound:
    pass
sagemaker.create_feature_group(
    FeatureGroupName=GROUP,
    RecordIdentifierFeatureName="user_id",
    EventTimeFeatureName="event_time",
    FeatureDefinitions=[
        {"FeatureName": "user_id", "FeatureType": "String"},
        {"FeatureName": "event_time", "FeatureType": "String"},
        {"FeatureName": "age", "FeatureType": "Integral"},
        {"FeatureName": "score", "FeatureType": "Fractional"},
        {"FeatureName": "clicks", "FeatureType": "Integral"},
        {"FeatureName": "tags", "FeatureType": "String", "CollectionType": "List"},
    ],
    OnlineStoreConfig={"EnableOnlineStore": True},
    OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://features/users"}, "TableFormat": "Iceberg"},
    RoleArn="arn:aws:iam::000000000000:role/unused-by-floe",  # boto3 requires one; Floe ignores it
)
# SageMaker creates groups asynchronously; wait for Created as code written for it does.
while sagemaker.describe_feature_group(FeatureGroupName=GROUP)["FeatureGroupStatus"] == "Creating":
    time.sleep(0.2)

nine = [
    {"user_id": "u1", "event_time": "2025-01-01T00:00:00Z", "age": "30", "score": "0.5", "clicks": "9007199254740993", "tags": ["a"]},
    {"user_id": "u1", "event_time": "2025-01-03T00:00:00Z", "age": "31", "score": "0.75", "clicks": "-9223372036854775808", "tags": ["a", "b"]},
    {"user_id": "u1", "event_time": "2025-01-02T00:00:00Z", "age": "99", "score": "0.1", "clicks": "1", "tags": []},
    {"user_id": "u2", "event_time": "2025-02-01T00:00:00Z", "age": "40", "score": "1.5", "clicks": "2", "tags": ["x"]},
    {"user_id": "u2", "event_time": "2025-02-02T00:00:00Z", "age": "41", "score": "2.5", "clicks": "3", "tags": ["x", "y"]},
    {"user_id": "u2", "event_time": "2025-01-15T00:00:00Z", "age": "39", "score": "0.5", "clicks": "4", "tags": []},
    {"user_id": "u3", "event_time": "2025-03-01T00:00:00Z", "age": "50", "score": "3", "clicks": "5", "tags": []},
    {"user_id": "u3", "event_time": "2025-03-01T12:00:00+02:00", "age": "51", "score": "3.5", "clicks": "6", "tags": ["z"]},
    {"user_id": "u3", "event_time": "2025-02-28T00:00:00Z", "age": "49", "score": "2", "clicks": "7", "tags": []},
]
for r in nine:
    runtime.put_record(FeatureGroupName=GROUP, Record=record(r))
print(f"put {len(nine)} records")

u1 = runtime.get_record(FeatureGroupName=GROUP, RecordIdentifierValueAsString="u1")
print("get u1", compact(plain(u1.get("Record"))))
batch = runtime.batch_get_record(
    Identifiers=[{"FeatureGroupName": GROUP, "RecordIdentifiersValueAsString": ["u1", "u2", "u3"], "FeatureNames": ["event_time", "age"]}]
)
for r in batch["Records"]:
    print("batch", r["RecordIdentifierValueAsString"], compact(plain(r["Record"])))

runtime.delete_record(FeatureGroupName=GROUP, RecordIdentifierValueAsString="u2", EventTime="2025-02-03T00:00:00Z")
gone = runtime.get_record(FeatureGroupName=GROUP, RecordIdentifierValueAsString="u2")
print("get u2 after delete", "no record" if "Record" not in gone else compact(plain(gone["Record"])))

try:
    runtime.put_record(FeatureGroupName=GROUP, Record=record({"user_id": "u4", "event_time": "2025-01-01T00:00:00Z", "age": "old"}))
except runtime.exceptions.ValidationError as error:
    print("refused", error.response["Error"]["Message"].split(":")[0])

# Training and batch-inference sets are not part of SageMaker's API (its Python SDK builds them
# with Athena over the offline store). With Floe: `floe dataset ...`, or DuckDB over the same
# Iceberg table.
