"""Tencent Cloud SMS (短信) through its official SDK, for the China stages.

Tencent sends only approved templates under an approved signature (签名): a code goes out with
the code template (`{1}` the code, `{2}` its validity in minutes), anything else with the notice
template (fixed text). Settings come from the stage's environment; the API credentials from the
secret `tencent-sms` (`{"secret_id": ..., "secret_key": ...}`; Secrets Manager outside local).

    TENCENT_SMS_APP_ID, TENCENT_SMS_SIGN_NAME, TENCENT_SMS_CODE_TEMPLATE_ID,
    TENCENT_SMS_NOTICE_TEMPLATE_ID, TENCENT_SMS_REGION (ap-guangzhou),
    TENCENT_SMS_ENDPOINT (sms.tencentcloudapi.com; `http://127.0.0.1:PORT` for the simulator)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from .. import secrets_store
from ..errors import TemporarilyUnavailable
from .sms import COUNTRY_PREFIX, SEND_FAILED

DEFAULT_ENDPOINT = "sms.tencentcloudapi.com"
DEFAULT_REGION = "ap-guangzhou"
CODE_VALID_MINUTES = "5"
# Below the API's 10 s answer budget (PRODUCT.md section 8), with room for the rest of the request.
REQUEST_TIMEOUT_S = 3


@dataclass(frozen=True)
class TencentSms:
    app_id: str
    sign_name: str
    code_template_id: str
    notice_template_id: str
    region: str = DEFAULT_REGION
    endpoint: str = DEFAULT_ENDPOINT

    @classmethod
    def from_environment(cls) -> TencentSms:
        env = os.environ
        return cls(
            app_id=env["TENCENT_SMS_APP_ID"],
            sign_name=env["TENCENT_SMS_SIGN_NAME"],
            code_template_id=env["TENCENT_SMS_CODE_TEMPLATE_ID"],
            notice_template_id=env.get("TENCENT_SMS_NOTICE_TEMPLATE_ID", ""),
            region=env.get("TENCENT_SMS_REGION") or DEFAULT_REGION,
            endpoint=env.get("TENCENT_SMS_ENDPOINT") or DEFAULT_ENDPOINT,
        )

    def _client(self):
        from tencentcloud.common import credential  # noqa: PLC0415 (SDK only on China stages)
        from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: PLC0415 (SDK only on China stages)
        from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: PLC0415 (SDK only on China stages)
        from tencentcloud.sms.v20210111 import sms_client  # noqa: PLC0415 (SDK only on China stages)

        keys = json.loads(secrets_store.get("tencent-sms"))
        parts = urlsplit(self.endpoint if "://" in self.endpoint else f"https://{self.endpoint}")
        http = HttpProfile(protocol=parts.scheme, endpoint=parts.netloc, reqTimeout=REQUEST_TIMEOUT_S)
        profile = ClientProfile(signMethod="TC3-HMAC-SHA256", httpProfile=http)
        return sms_client.SmsClient(
            credential.Credential(keys["secret_id"], keys["secret_key"]), self.region, profile
        )

    def send(self, phone: str, text: str, code: str | None) -> None:
        del text  # Tencent sends only approved templates: the code is a template parameter
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException  # noqa: PLC0415 (SDK only on China stages)
        from tencentcloud.sms.v20210111 import models  # noqa: PLC0415 (SDK only on China stages)

        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.PhoneNumberSet = [COUNTRY_PREFIX + phone]
        if code is not None:
            request.TemplateId, request.TemplateParamSet = self.code_template_id, [code, CODE_VALID_MINUTES]
        else:
            request.TemplateId, request.TemplateParamSet = self.notice_template_id, []
        try:
            answer = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            raise TemporarilyUnavailable(SEND_FAILED, code="sms_unavailable") from exc
        statuses = answer.SendStatusSet or []
        if not statuses or statuses[0].Code != "Ok":
            raise TemporarilyUnavailable(SEND_FAILED, code="sms_unavailable")
