"""Where one-time codes and notices leave the system: one small interface per channel.

    sms.sender().send(phone, text, code)      # SMS_PROVIDER: outbox | sns | tencent
    mail.sender().send(address, subject, text)  # MAIL_PROVIDER: outbox | ses | smtp

The stage's environment (`.chalice/config.json`) picks the provider: the outbox table on the
local stage, SNS and SES in global regions, Tencent Cloud SMS and SMTP in the China regions
(neither SNS SMS nor SES exists there). Provider SDKs are imported when first used, so the API's
cold start does not pay for them. Sending limits are not enforced here (see services/codes.py).
"""
