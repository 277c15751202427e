"""Kind detection by content."""

from __future__ import annotations

from typing import Any

import pytest

from personalize_lint.loaders.detect import detect

TRUST = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}
IDENTITY = {"Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}}
BUCKET = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
                         "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}]}
KEY = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                      "Action": "kms:*", "Resource": "*"}]}
RESOURCE = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish",
                           "Resource": "arn:aws:sns:us-east-1:111122223333:t"}]}


@pytest.mark.parametrize(
    ("data", "kind", "subkind"),
    [
        (IDENTITY, "policy", "identity"),
        (TRUST, "policy", "trust"),
        (BUCKET, "policy", "bucket"),
        (KEY, "policy", "key"),
        (RESOURCE, "policy", "resource"),
        ({"PolicyDocument": IDENTITY, "PolicyName": "p"}, "policy", "identity"),
        ({"Version": "2012-10-17"}, "policy", "unknown"),
        ({"type": "record", "name": "Interactions", "fields": []}, "schema", None),
        ({"name": "s", "schema": "{\"type\": \"record\"}", "domain": "ECOMMERCE"}, "schema",
         "request"),
        ({"name": "m", "datasetGroupArn": "arn", "metrics": [],
          "metricsOutputConfig": {}}, "metric-attribution", "create"),
        ({"metricAttributionArn": "arn", "addMetrics": []}, "metric-attribution", "update"),
        ({"metricAttribution": {"name": "m"}}, "metric-attribution", "describe"),
        ({"Metrics": [{"EventType": "click"}], "MetricsOutputConfig": {}}, "metric-attribution",
         "console"),
        ({"EventType": "watch", "MetricName": "M", "MetricMathExpression": "SUM(Items.L)"},
         "metric-attribution", "console"),
        ({"roleArn": "arn", "s3DataDestination": {"path": "s3://b/"}}, "metric-attribution",
         "output-config"),
        ([{"eventType": "click", "metricName": "C", "expression": "SAMPLECOUNT()"}],
         "metric-attribution", "metrics"),
        ({"trackingId": "t", "sessionId": "s", "eventList": []}, "putevents", "request"),
        ([{"eventType": "click", "sentAt": 1}], "putevents", "events"),
        ({"AWSTemplateFormatVersion": "2010-09-09"}, "cloudformation", None),
        ({"Resources": {"R": {"Type": "AWS::S3::Bucket"}}}, "cloudformation", None),
        ({"name": "package", "version": "1.0.0"}, "unknown", None),
        ([1, 2, 3], "unknown", None),
        ("just a string", "unknown", None),
    ],
)
def test_kind_by_content(data: Any, kind: str, subkind: str | None) -> None:
    assert detect(data) == (kind, subkind)
