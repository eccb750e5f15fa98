"""The secret patterns: which forms are caught, and which look-alikes are left alone."""

from __future__ import annotations

import pytest
from pact_runtime.redaction import (
    find_secrets,
    is_dependency_path,
    is_literal_path,
    is_locale_path,
    is_sample_path,
    redact,
)

# (text, kind, the exact secret part that must disappear)
CAUGHT = [
    ("key AKIAUJZDEGXDNCF32EPF in env", "aws-access-key", "AKIAUJZDEGXDNCF32EPF"),
    ("ASIAY34FZKBOKMUTVV7A temporary", "aws-access-key", "ASIAY34FZKBOKMUTVV7A"),
    ("aws_secret_access_key = 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", "aws-secret-key",
     "2HPcHyGcFRl1SPnXNYvMIHa+2o76umfXfKm+r5kJ"),
    ("AWS_SECRET_ACCESS_KEY 2HPcHyGcFRl1SPnXNYvMIHa+2o76umfXfKm+r5kJ", "aws-secret-key",
     "2HPcHyGcFRl1SPnXNYvMIHa+2o76umfXfKm+r5kJ"),
    ("DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5"
     "MGFiY2RlZmdoaWprbG1ub3A=;EndpointSuffix=core.windows.net", "azure-key",
     "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A="),
    ("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;"
     "SharedAccessKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo=", "azure-key",
     "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo="),
    ("https://shop.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&sig=ZNrnXk0Cg4vmHcfz7dEt"
     "RvWf9zsR%2BYOvqzLmrh5uHhk%3D", "azure-key",
     "ZNrnXk0Cg4vmHcfz7dEtRvWf9zsR%2BYOvqzLmrh5uHhk%3D"),
    ("token ghp_16C7e42F292c6912E7710c838347Ae178B4a used", "github-token",
     "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
    ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "github-token",
     "gho_16C7e42F292c6912E7710c838347Ae178B4a"),
    ("github_pat_11H60KVJ50C_9qEwjky40UVsWmflzdE1F8ResqEDusTpkr0cStY4qWB8dWKnHfDNxSIvPZZ",
     "github-token",
     "github_pat_11H60KVJ50C_9qEwjky40UVsWmflzdE1F8ResqEDusTpkr0cStY4qWB8dWKnHfDNxSIvPZZ"),
    ("CI uses glpat-xJ3k9LmN0pQrStUvWxYz now", "gitlab-token", "glpat-xJ3k9LmN0pQrStUvWxYz"),
    ("xoxb-712768426846-5632122330792-QSAJaiXnkU8Is2g8nprvDd53", "slack-token",
     "xoxb-712768426846-5632122330792-QSAJaiXnkU8Is2g8nprvDd53"),
    ("xoxp-1372159010-9281590139-yjqwx4hh5344", "slack-token",
     "xoxp-1372159010-9281590139-yjqwx4hh5344"),
    ("hook https://hooks.slack.com/services/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",
     "slack-webhook",
     "https://hooks.slack.com/services/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"),
    ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("rk_test_51zyw2MzP0ZvzOMhfWuBBy", "stripe-key", "rk_test_51zyw2MzP0ZvzOMhfWuBBy"),
    ("whsec_test_ReQMsm9Wcz7uW9XFOGOeMVNe", "stripe-key", "whsec_test_ReQMsm9Wcz7uW9XFOGOeMVNe"),
    ("OPENAI_API_KEY is sk-proj-Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF", "openai-key",
     "sk-proj-Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF"),
    ("sk-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d", "openai-key",
     "sk-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d"),
    ("claude key sk-ant-api03-AbCdEf012345_GhIjKl-678901MnOpQr", "anthropic-key",
     "sk-ant-api03-AbCdEf012345_GhIjKl-678901MnOpQr"),
    ("maps AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "google-api-key",
     "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
     "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt",
     "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----",
     "private-key",
     "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA", "private-key",
     "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"),
    ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----", "private-key",
     "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----"),
    # An OpenSSH key's base64 holds runs of "A" (zero bytes): not a filler.
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAA"
     "MwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----", "private-key",
     "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAA"
     "MwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----"),
    ("DATABASE_URL=postgres://app:S3cr3tPass@db.internal:5432/app", "url-password", "S3cr3tPass"),
    ("mysql://root:hunter2@localhost/db", "url-password", "hunter2"),
    ("redis://:p4ssw0rd@cache:6379/0", "url-password", "p4ssw0rd"),
    ("https://user:p@ssw0rd@host.com/path", "url-password", "p@ssw0rd"),
    ("password=hunter22", "assignment", "hunter22"),
    ("DB_PASSWORD: 'correct horse'", "assignment", "correct horse"),
    ("secret: tr0ub4dor&3", "assignment", "tr0ub4dor&3"),
    ("token = abcdef123456", "assignment", "abcdef123456"),
    ('"client_secret": "9f8e7d6c5b4a"', "assignment", "9f8e7d6c5b4a"),
    ("export GITHUB_TOKEN=letmein2024", "assignment", "letmein2024"),
    ("api_key=ZXhhbXBsZWtleQ", "assignment", "ZXhhbXBsZWtleQ"),
    ("passwd := s3cr3t!", "assignment", "s3cr3t!"),
    ("Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543abcDEF", "bearer-token",
     "8f14e45fceea167a5a36dedd4bea2543abcDEF"),
    ("curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='", "basic-auth", "dXNlcjpwYXNzd29yZA=="),
    # Short password names.
    ("DB_PASS=Tr0ub4dor&3", "assignment", "Tr0ub4dor&3"),
    ("pass=Tr0ub4dor3x", "assignment", "Tr0ub4dor3x"),
    ("PGPASS=Pg5ecretValue", "assignment", "Pg5ecretValue"),
    ("export MYSQL_PWD=My5qlS3cret", "assignment", "My5qlS3cret"),
    ("pwd=Hunter2Pw!", "assignment", "Hunter2Pw!"),
    ("smtp_pass: 'Mai1Pass!'", "assignment", "Mai1Pass!"),
    # Values that start like a reference but are not one.
    ("password: $ecretP4ss", "assignment", "$ecretP4ss"),
    ("password: *Secr3t!", "assignment", "*Secr3t!"),
    ("password=<S3cr3t>", "assignment", "<S3cr3t>"),
    ("secret: %Tr0ub4dor", "assignment", "%Tr0ub4dor"),
    ("password: [S3cret9", "assignment", "[S3cret9"),
    ("password: {S3cr3t", "assignment", "{S3cr3t"),
    # A "/" inside the password of a URL.
    ("postgres://admin:S3cr3t/P4ss@h/db", "url-password", "S3cr3t/P4ss"),
    # Passwords on a command line.
    ("mysql -u root -pS3cretPass shop", "cli-password", "S3cretPass"),
    ("mysqldump -p'Dump5ecret' shop", "cli-password", "Dump5ecret"),
    ("curl -u admin:S3cretP4ss https://api.example.com", "cli-password", "S3cretP4ss"),
    ("curl --user admin:S3cretP4ss https://api.example.com", "cli-password", "S3cretP4ss"),
    ("sshpass -p S3cretSsh ssh deploy@host", "cli-password", "S3cretSsh"),
    ("vault login --password S3cretCli1", "cli-password", "S3cretCli1"),
    ("vault login --password=S3cretCli2", "assignment", "S3cretCli2"),
    # Token types.
    ("npm_a1B2c3D4e5a1B2c3D4e5a1B2c3D4e5a1B2c3", "npm-token",
     "npm_a1B2c3D4e5a1B2c3D4e5a1B2c3D4e5a1B2c3"),
    ("HF 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", "huggingface-token",
     "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"),
    ("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", "sendgrid-key",
     "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"),
    ("pypi-AgEIcHlwaS5vcmcCJGE0ZjJkY2U3LTg5NjQtNDBlZi1hNWQzLTM0ODhiY2YxZDdhNQ", "pypi-token",
     "pypi-AgEIcHlwaS5vcmcCJGE0ZjJkY2U3LTg5NjQtNDBlZi1hNWQzLTM0ODhiY2YxZDdhNQ"),
    ("twilio SK04e4fb440034d6608697a8d41bed440e", "twilio-key",
     "SK04e4fb440034d6608697a8d41bed440e"),
    ("dop_v1_50454f31af3176813e02ea68ef786e4d3cea27d26934b484e73cf575dcad6ba2",
     "digitalocean-token",
     "dop_v1_50454f31af3176813e02ea68ef786e4d3cea27d26934b484e73cf575dcad6ba2"),
    ("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", "shopify-token",
     "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"),
    # Disguised forms.
    ("-----BEGIN  RSA PRIVATE KEY-----\nMIIEow\n-----END  RSA PRIVATE KEY-----", "private-key",
     "-----BEGIN  RSA PRIVATE KEY-----\nMIIEow\n-----END  RSA PRIVATE KEY-----"),
    ('password =\n    "Spl1tAcross"', "assignment", "Spl1tAcross"),
    ("pass\u200bword=Hidd3nPass", "assignment", "Hidd3nPass"),
    ("\ufeffapi\u200d_key=Zw1dth\u2060Key", "assignment", "Zw1dth\u2060Key"),
    # Invisible characters inside a token: soft hyphen, invisible separator, zero-width joiners.
    ("key AKIA\u00adUJZDEGXDNCF32EPF", "aws-access-key", "AKIA\u00adUJZDEGXDNCF32EPF"),
    ("ghp_16C7e42F292c\u20636912E7710c838347Ae178B4a", "github-token",
     "ghp_16C7e42F292c\u20636912E7710c838347Ae178B4a"),
    ("sk-ant-api03-AbCdEf012345\u200c_GhIjKl-\u2064678901MnOpQr", "anthropic-key",
     "sk-ant-api03-AbCdEf012345\u200c_GhIjKl-\u2064678901MnOpQr"),
    ("tok\u2062en = Zw1dthJ01ner9", "assignment", "Zw1dthJ01ner9"),
    # Literals beside the code forms that are left alone.
    ('self.password = "Tr0ub4dor&3"', "assignment", "Tr0ub4dor&3"),
    ('JWT_SECRET="super.secret.value"', "assignment", "super.secret.value"),
    ("POSTGRES_PASSWORD: Wq8v2LkP9z", "assignment", "Wq8v2LkP9z"),
    ("password: !Secr3t9", "assignment", "!Secr3t9"),
    ("mongodb://admin:Zq7Lw2Vb@db:27017", "url-password", "Zq7Lw2Vb"),
    # Twins of the placeholders below: the real thing with the same prefix or name.
    ("OPENAI_API_KEY=sk-proj-Xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0aE", "openai-key",
     "sk-proj-Xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0aE"),
    ("ANTHROPIC_API_KEY=sk-ant-api03-Xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0aE", "anthropic-key",
     "sk-ant-api03-Xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0aE"),
    ("STRIPE_SECRET_KEY=sk_test_51Hx9aLkQ2mZpR7vT3yW8nB4c", "stripe-key",
     "sk_test_51Hx9aLkQ2mZpR7vT3yW8nB4c"),
    ("JWT_SECRET=c8f2a91d7e4b6f30", "assignment", "c8f2a91d7e4b6f30"),
    ('password = "hunter2!"', "assignment", "hunter2!"),
    ('{"password": "Tr4vel-Demo-91"}', "assignment", "Tr4vel-Demo-91"),
    # A passphrase: lower-case words, or any words under an environment variable's name.
    ('password: "correct horse battery staple"', "assignment", "correct horse battery staple"),
    ("DB_PASSWORD='Correct horse'", "assignment", "Correct horse"),
    # Kept in a test too: a diceware-style phrase is what real passphrases look like.
    ('client.post("/login", data={"username": "alice", "password": "correct-horse"})',
     "assignment", "correct-horse"),
    # Words mixed with digits and symbols are no UI text.
    ('{"password": "Mot de passe1!"}', "assignment", "Mot de passe1!"),
    # Outside a translation file one word is a password (see TRANSLATIONS for the twin).
    ("password: Passwort", "assignment", "Passwort"),
    # Password files and a short name for a password.
    ("db.internal:5432:app:app_user:Xq7RbL2mN9vK4tY8", "pgpass-password", "Xq7RbL2mN9vK4tY8"),
    ("*:*:*:postgres:Pg\\:S3cret9x", "pgpass-password", "Pg\\:S3cret9x"),
    ("machine api.example.com login me password Xq7RbL2mN9vK4tY8", "netrc-password",
     "Xq7RbL2mN9vK4tY8"),
    ("machine github.com\n  login octocat\n  password ghx7RbL2mN9vK4tY8\n", "netrc-password",
     "ghx7RbL2mN9vK4tY8"),
    ("MY_SERVICE_PW=Xq7RbL2mN9vK4tY8", "assignment", "Xq7RbL2mN9vK4tY8"),
    ("db_pw: 'S3cr3t!x'", "assignment", "S3cr3t!x"),
    # A bare "pass" before a quoted password (nodemailer's auth, JSON).
    ("auth: { user: 'ops@acme.io', pass: 'Xk9fQ2mLp7Zr4Tb8' }", "assignment", "Xk9fQ2mLp7Zr4Tb8"),
    ('{"user": "ops", "pass": "Xk9fQ2mLp7Zr4Tb8"}', "assignment", "Xk9fQ2mLp7Zr4Tb8"),
    # A private key in base64, as a kubeconfig or a Kubernetes secret holds it.
    ("    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBN1E=",
     "private-key",
     "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBN1E="),
    ("  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQgo=",
     "private-key", "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQgo="),
    # A Telegram bot's token, bare or in the API's URL, and a Discord webhook.
    ("TELEGRAM_BOT_TOKEN=7312948560:AAPtYgjmUhBel31iEl2hpChYgCfrL1spNxn", "telegram-token",
     "7312948560:AAPtYgjmUhBel31iEl2hpChYgCfrL1spNxn"),
    ("curl https://api.telegram.org/bot7312948560:AAPtYgjmUhBel31iEl2hpChYgCfrL1spNxn/getMe",
     "telegram-token", "7312948560:AAPtYgjmUhBel31iEl2hpChYgCfrL1spNxn"),
    ("DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1187364920175632458/yVmihA-2O76UMFxF"
     "kM-R5Kjp1vRt_1fjORS-6ilI8ihN5KXSc7Tvo-hBKqFYY-kv5ZJr", "discord-webhook",
     "https://discord.com/api/webhooks/1187364920175632458/yVmihA-2O76UMFxFkM-R5Kjp1vRt_1fjORS-"
     "6ilI8ihN5KXSc7Tvo-hBKqFYY-kv5ZJr"),
    # Twins of the code values below: literals in the same places.
    ("Server=db;Password=Summer;Database=shop", "assignment", "Summer"),
    ("mount -o username=bob,password=letmein,uid=1000", "assignment", "letmein"),
    ("password: 'secret_sauce'", "assignment", "secret_sauce"),
    ("password: Welcome!", "assignment", "Welcome!"),
    # Twins of the versions below: a value that starts like one.
    ('"password": "1.2.3-Xk9fQ2mLp7"', "assignment", "1.2.3-Xk9fQ2mLp7"),
    ("GITHUB_TOKEN=v1.0Tr0ub4dor", "assignment", "v1.0Tr0ub4dor"),
    # A version needs a dot or a range operator, and under a secret's own name outside a
    # dependency file a source or a version with letters is no version.
    ("password: 2b8472019384", "assignment", "2b8472019384"),
    ("password: 12345678a9", "assignment", "12345678a9"),
    ("api_key: 7rc123456", "assignment", "7rc123456"),
    ("password: file:Zq8kL2mN9pWx", "assignment", "file:Zq8kL2mN9pWx"),
    ("password: link:abc123XYZ", "assignment", "link:abc123XYZ"),
    ("password: 1.0.0rc1", "assignment", "1.0.0rc1"),
    # A URL password holding an unencoded "#" or "?", as people paste them.
    ("DATABASE_URL=postgres://app:Zq8#kL2!mN9p@prod-db.internal:5432/app", "url-password",
     "Zq8#kL2!mN9p"),
    ("DATABASE_URL=postgres://app:Zq8?kL2!mN9p@prod-db.internal:5432/app", "url-password",
     "Zq8?kL2!mN9p"),
    # Twins of the sentences below: a passphrase has no short words of English, a message no
    # password, and a setting's name no message.
    ("password: correct horse battery staple", "assignment", "correct"),
    ('echo "password: Xk9fQ2mLp7Zr4Tb8"', "assignment", "Xk9fQ2mLp7Zr4Tb8"),
    ("DB_PASSWORD_PROD='Correct horse'", "assignment", "Correct horse"),
    ("RESET_TOKEN='Correct horse'", "assignment", "Correct horse"),
    # Twin of the Helm values below: a password in the values file itself.
    ("auth:\n  postgresPassword: pg-Xk9fQ2mLp7\n", "assignment", "pg-Xk9fQ2mLp7"),
    # Twins of a tokenizer's settings and token limits: a secret beside "tokenizer", a count
    # that goes on.
    ("tokenizer_api_key: Xk9fQ2mLp7", "assignment", "Xk9fQ2mLp7"),
    ("token: 128kLp7Zr4", "assignment", "128kLp7Zr4"),
    # Twins of a token bucket's rates and a token's storage: a rate that goes on, a secret in
    # storage.
    ("token: 10/minXk9fQ2mLp7", "assignment", "10/minXk9fQ2mLp7"),
    ("const TOKEN_STORAGE_SECRET = 'Wg5rQ2mLp9Xk7vB3';", "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ("const TOKEN = 'localStorage-Wg5rQ2';", "assignment", "localStorage-Wg5rQ2"),
    # Twins of a template tag and of a pattern's name: a value that only begins with "<%", a
    # name whose last word is no pattern's.
    ('<input type="hidden" name="csrf_token" value="<%Wg5rQ2mLp9Xk7vB3">', "assignment",
     "<%Wg5rQ2mLp9Xk7vB3"),
    ('REGEX_TOKEN = "Wg5rQ2mLp9Xk7vB3"', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    # Twins of the files and references: an absolute path of one part without an extension,
    # a dotted value whose last part is no extension, a "vault:" without a path.
    ("password: /Zq8kL2mN9p", "assignment", "/Zq8kL2mN9p"),
    ('credentials: "Xk9fQ2mLp7.Zr4Tb8"', "assignment", "Xk9fQ2mLp7.Zr4Tb8"),
    ("password: vault:Zq8kL2mN9pWx", "assignment", "vault:Zq8kL2mN9pWx"),
    ("password: projects/Zq8kL2mN9pWx", "assignment", "projects/Zq8kL2mN9pWx"),
    ("secret: enabled-Zq8kL2mN9p", "assignment", "enabled-Zq8kL2mN9p"),
    ("tokenStorageKey = 'Zq8kL2.mN9pWx'", "assignment", "Zq8kL2.mN9pWx"),
    # Twin of Supabase's anon key: its service_role key, which bypasses row-level security.
    ("SUPABASE_SERVICE_ROLE_KEY=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJl"
     "ZiI6Inh5eiIsInJvbGUiOiJzZXJ2aWNlX3JvbGUiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MjAwMDAwMDAwMH0.Qm9y"
     "Z2VzQmx1ZVNreVNpZ25hdHVyZTEyMzQ1", "jwt",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6Inh5eiIsInJvbGUiOiJzZXJ2"
     "aWNlX3JvbGUiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MjAwMDAwMDAwMH0.Qm9yZ2VzQmx1ZVNreVNpZ25hdHVyZTEy"
     "MzQ1"),
    # A real password that begins like a stand-in (mypassword, supersecret).
    ("password: myS3cretPass", "assignment", "myS3cretPass"),
    ("SECRET_KEY=superb-Xk9fQ2", "assignment", "superb-Xk9fQ2"),
    # Twins of a Firebase web config: another Google key beside one, or under another name.
    ("GEMINI_API_KEY=AIzaSyB3xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0\n# hosting: shop.firebaseapp.com",
     "google-api-key", "AIzaSyB3xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0"),
    # A typed declaration: the type stands where the value would, the literal after it.
    ('db_password: str = "Tr0ub4dor&3x!"', "assignment", "Tr0ub4dor&3x!"),
    ('jwt_secret: str = "Wg5rQ2mLp9Xk7vB3"', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ('SECRET_KEY: Final[str] = "Wg5rQ2mLp9Xk7vB3"', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ('db_password: Optional[str] = "Tr0ub4dor&3x!"', "assignment", "Tr0ub4dor&3x!"),
    ('const dbPassword: string = "Tr0ub4dor&3x!";', "assignment", "Tr0ub4dor&3x!"),
    ("private readonly apiKey: string = 'Wg5rQ2mLp9Xk7vB3';", "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ('export const SECRET: string | undefined = "Wg5rQ2mLp9Xk7vB3";', "assignment",
     "Wg5rQ2mLp9Xk7vB3"),
    ('val apiKey: String = "Wg5rQ2mLp9Xk7vB3"', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ('const API_TOKEN: &str = "Wg5rQ2mLp9Xk7vB3";', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ('var apiSecret string = "Wg5rQ2mLp9Xk7vB3"', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ('public string ApiKey { get; set; } = "Wg5rQ2mLp9Xk7vB3";', "assignment",
     "Wg5rQ2mLp9Xk7vB3"),
    ('password: str="Tr0ub4dor&3x!"', "assignment", "Tr0ub4dor&3x!"),
    ("let api_key: &'static str = \"Wg5rQ2mLp9Xk7vB3\";", "assignment", "Wg5rQ2mLp9Xk7vB3"),
    # A literal fallback for a secret's environment variable.
    ('os.getenv("DB_PASSWORD", "Tr0ub4dor&3x!")', "assignment", "Tr0ub4dor&3x!"),
    ('os.environ.get("API_KEY", "Wg5rQ2mLp9Xk7vB3")', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ('const pw = process.env.DB_PASSWORD || "Tr0ub4dor&3x!";', "assignment", "Tr0ub4dor&3x!"),
    ('const key = process.env.API_KEY ?? "Wg5rQ2mLp9Xk7vB3";', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ("'password' => env('DB_PASSWORD', 'Tr0ub4dor&3x!'),", "assignment", "Tr0ub4dor&3x!"),
    ('ENV.fetch("SECRET_KEY_BASE", "Wg5rQ2mLp9Xk7vB3")', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ("POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-Tr0ub4dor&3x!}", "assignment", "Tr0ub4dor&3x!"),
    ('api_key = os.environ.get("API_KEY") or "Wg5rQ2mLp9Xk7vB3"', "assignment",
     "Wg5rQ2mLp9Xk7vB3"),
    ("'secret' => config('services.stripe.secret', 'Wg5rQ2mLp9Xk7vB3'),", "assignment",
     "Wg5rQ2mLp9Xk7vB3"),
    ('@Value("${db.password:Tr0ub4dor&3x!}")', "assignment", "Tr0ub4dor&3x!"),
    # A name that ends in a short word only in part (admin), and a secret's id, which Vault's
    # AppRole logs in with.
    ("PASSWORD_ADMIN=Tr0ub4dor&3x!", "assignment", "Tr0ub4dor&3x!"),
    ("VAULT_SECRET_ID=Wg5rQ2mLp9Xk7vB3", "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ("secret_id: Wg5rQ2mLp9Xk7vB3", "assignment", "Wg5rQ2mLp9Xk7vB3"),
    # Twins of an enum's value that spells its name, of punctuation, of a repeated filler.
    ('TokenIssuance = "token_issuance_Wg5rQ2"', "assignment", "token_issuance_Wg5rQ2"),
    ('password = "x9 ;}) +-*/"', "assignment", "x9 ;}) +-*/"),
    ("password: asdfasdfX9k", "assignment", "asdfasdfX9k"),
    # A literal set through a subscript or a call.
    ('os.environ["DB_PASSWORD"] = "Tr0ub4dor&3x!"', "assignment", "Tr0ub4dor&3x!"),
    ('app.config["SECRET_KEY"] = "Wg5rQ2mLp9Xk7vB3"', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ("ENV['DB_PASSWORD'] = 'Tr0ub4dor&3x!'", "assignment", "Tr0ub4dor&3x!"),
    ('System.setProperty("db.password", "Tr0ub4dor&3x!");', "assignment", "Tr0ub4dor&3x!"),
    ("define( 'DB_PASSWORD', 'Tr0ub4dor&3x!' );", "assignment", "Tr0ub4dor&3x!"),
    # An environment variable's name and value given apart (Kubernetes, ECS, Terraform).
    ('env:\n  - name: DB_PASSWORD\n    value: "Tr0ub4dor&3x!"\n', "assignment", "Tr0ub4dor&3x!"),
    ("env:\n- name: API_TOKEN\n  value: Wg5rQ2mLp9Xk7vB3\n", "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ('{"name": "DB_PASSWORD", "value": "Tr0ub4dor&3x!"}', "assignment", "Tr0ub4dor&3x!"),
    ('<add key="ApiKey" value="Wg5rQ2mLp9Xk7vB3" />', "assignment", "Wg5rQ2mLp9Xk7vB3"),
    ('env {\n  name  = "API_TOKEN"\n  value = "Wg5rQ2mLp9Xk7vB3"\n}', "assignment",
     "Wg5rQ2mLp9Xk7vB3"),
]

# Well-known placeholders and documented example keys: masked in memory (it costs
# nothing), never a finding for the guard. (text, the part masked)
PLACEHOLDERS = [
    ("key AKIAIOSFODNN7EXAMPLE in env", "AKIAIOSFODNN7EXAMPLE"),
    ("STRIPE_SECRET_KEY=sk_test_xxx", "sk_test_xxx"),
    ("SECRET_KEY = 'django-insecure-test-key-not-for-production'",
     "django-insecure-test-key-not-for-production"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX", "AKIAXXXXXXXXXXXXXXXX"),
    ("hook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
     "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    ("STRIPE_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx", "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
     "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"),
    ("API_KEY=changeme", "changeme"),
    ("password=changeme", "changeme"),
    ("API_KEY=your-api-key-here", "your-api-key-here"),
    ('api_key = "YOUR_API_KEY"', "YOUR_API_KEY"),
    ("API_TOKEN=put-your-token-here", "put-your-token-here"),
    ("SECRET_KEY=xxxxxxxxxxxx", "xxxxxxxxxxxx"),
    ("TOKEN=replace-me", "replace-me"),
    ("SECRET_KEY=dummy", "dummy"),
    ("DATABASE_URL=postgres://user:password@localhost/db", "password"),
    ("postgres://postgres:postgres@db:5432/app", "postgres"),
    ("mongodb://admin:admin@localhost:27017", "admin"),
    ("    POSTGRES_PASSWORD: postgres", "postgres"),
    ("    MYSQL_ROOT_PASSWORD: root", "root"),
    ("The token: abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz"),
    # A key block whose body is a stand-in, as documentation shows it.
    ("-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
     "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----"),
    ("-----BEGIN PRIVATE KEY-----\n<your private key>\n-----END PRIVATE KEY-----",
     "-----BEGIN PRIVATE KEY-----\n<your private key>\n-----END PRIVATE KEY-----"),
    # A known prefix cut short, as READMEs and .env.example files show it.
    ("OPENAI_API_KEY=sk-...", "sk-..."),
    ("ANTHROPIC_API_KEY=sk-ant-...", "sk-ant-..."),
    ('export OPENAI_API_KEY="sk-proj-\u2026"', "sk-proj-\u2026"),
    ("STRIPE_SECRET_KEY=sk_test_...", "sk_test_..."),
    ("GITHUB_TOKEN=ghp_...", "ghp_..."),
    ("api_key: sk-...Xk9f", "sk-...Xk9f"),
    # Stand-in phrases.
    ("JWT_SECRET=change-this-in-production", "change-this-in-production"),
    ("SESSION_SECRET=set-me", "set-me"),
    ("SECRET_KEY=generate-with-openssl-rand-hex-32", "generate-with-openssl-rand-hex-32"),
    # A default with a few digits: a fixture's password. It is among the first guesses of
    # any attack, so writing it discloses nothing, and a HALT for it pauses a login test.
    ('{"username": "alice", "password": "demo1234"}', "demo1234"),
    ("password: admin123", "admin123"),
    # Keys typed in a row, and a few digits after them (a twin of password: 12345678a9).
    ("password: abcdefgh123", "abcdefgh123"),
    # A few keys repeated: a mock's secret.
    ('COGNITO_TOTP_MFA_SECRET: Final[str] = "asdfasdfasdf"', "asdfasdfasdf"),
    # Documented samples: jwt.io's token, the key in Stripe's API reference.
    ('token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ikpv'
     'aG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"',
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIi"
     "wiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
    ("stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
    # UI text under a secret's name: words that begin with a capital or end a sentence.
    ('{"login": {"password": "Mot de passe"}}', "Mot de passe"),
    ('{"forgot_password": "Forgot your password?"}', "Forgot your password?"),
    ('"password": "At least 8 characters"', "At least 8 characters"),
    ("password: Votre mot de passe", "Votre"),
    # A sentence in docs or a changelog, a message that begins with the name, and UI text
    # under a constant that names a message.
    ("password: must be at least 8 characters", "must"),
    ("- token: rotate refresh tokens on use", "rotate"),
    ("The password: hashed with Argon2 before it is stored.", "hashed"),
    ('raise ValueError("token: invalid signature")', "invalid"),
    ("log.warn('api_key: missing or expired, using anonymous access')", "missing"),
    ("PASSWORD_RESET_SUBJECT = 'Reset your password'", "Reset your password"),
    ("TOKEN_EXPIRED = 'Token expired'", "Token expired"),
    # Stand-ins behind my, your or super, and express-session's documented secret.
    ("JWT_SECRET=supersecret", "supersecret"),
    ("DATABASE_URL=postgres://myuser:mypassword@localhost:5432/mydb", "mypassword"),
    ("app.use(session({ secret: 'keyboard cat', resave: false }))", "keyboard cat"),
    # The example JWT of RFC 7519 (and RFC 7515), as docs quote it.
    ("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQog"
     "Imh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
     "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQog"
     "Imh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    # A Firebase web config: its API key is public by design (it ships to every browser).
    ('const firebaseConfig = {\n  apiKey: "AIzaSyB3xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0",\n'
     '  authDomain: "shop-prod.firebaseapp.com",\n  projectId: "shop-prod",\n};',
     "AIzaSyB3xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0"),
    ("NEXT_PUBLIC_FIREBASE_API_KEY=AIzaSyB3xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0\n",
     "AIzaSyB3xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0"),
    ("firebase.initializeApp({ apiKey: 'AIzaSyB3xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0', "
     "messagingSenderId: '718293' })", "AIzaSyB3xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0"),
    # Supabase's anon key: public by design, as it ships to every browser.
    ("NEXT_PUBLIC_SUPABASE_ANON_KEY=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIs"
     "InJlZiI6Inh5eiIsInJvbGUiOiJhbm9uIn0.Qm9yZ2VzQmx1ZVNreVNpZ25hdHVyZTEyMzQ1",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6Inh5eiIsInJvbGUiOiJh"
     "bm9uIn0.Qm9yZ2VzQmx1ZVNreVNpZ25hdHVyZTEyMzQ1"),
    ('const supabase = createClient(url, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBh'
     'YmFzZSIsInJlZiI6Inh5emFiYyIsInJvbGUiOiJhbm9uIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjIwMDAwMDAw'
     'MDB9.Qm9yZ2VzQmx1ZVNreVNpZ25hdHVyZTEyMzQ1")',
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6Inh5emFiYyIsInJvbGUi"
     "OiJhbm9uIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjIwMDAwMDAwMDB9.Qm9yZ2VzQmx1ZVNreVNpZ25hdHVyZTEy"
     "MzQ1"),
    # A key block in base64 whose body is a stand-in, and a Discord webhook of fillers.
    ("tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCi4uLgotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg==",
     "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCi4uLgotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg=="),
    ("https://discord.com/api/webhooks/000000000000000000/" + "X" * 68,
     "https://discord.com/api/webhooks/000000000000000000/" + "X" * 68),
    # Password files holding a default.
    ("localhost:5432:app:postgres:postgres", "postgres"),
    ("machine ci.internal login me password your-netrc-password", "your-netrc-password"),
]

LEFT_ALONE = [
    "The password reset flow sends an email with a one-time link.",
    "We store the token hash, never the token itself.",
    "password: ${DB_PASSWORD}",
    "token = os.environ['API_TOKEN']",
    "secret: <your secret here>",
    "max_tokens = 4096",
    "token: string",
    "password: str",
    "password_hash: bcrypt",
    "secret_name: prod-db-credentials",
    "token_count: 12",
    "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 fixed it",
    "id 123e4567-e89b-12d3-a456-426614174000",
    "https://user@example.com/repo.git",
    "postgres://localhost:5432/app",
    "http://example.com:8080/path",
    "sk-learn is a Python library",
    "pk_live_51H8aBcDeFgHiJkLmNoPqRsT is the publishable key",
    "AKIA is the prefix of AWS access key ids",
    "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----",
    "Bearer tokens expire after an hour",
    "Authorization: Bearer <token>",
    "sha512-Wq0Xf3ZqWnL8n0Yq9z7Q== is an npm integrity hash",
    "the secret to fast queries is an index",
    "Use ghp_ tokens only in CI",
    "xoxo, the team",
    "eyJ alone is just base64 for {\"",
    "token = None",
    "password: true",
    "api_key_url: https://example.com/keys",
    "author: Jane Doe",
    "credentials are read by the vault agent",
    # Look-alikes of the short names and of the command-line forms.
    "password_hash = bcrypt(password)",
    "PASSWORD_FILE=/run/secrets/db",
    "pass = None",
    "passes = 3",
    'password = os.environ["DB_PASSWORD"]',
    "compass=north",
    "bypass=true",
    "passport = scan(document)",
    "PWD=/home/x",
    "OLDPWD=../build",
    "password: $DB_PASSWORD",
    "password=$(cat /run/secrets/db)",
    "password: '{{ secrets.DB_PASSWORD }}'",
    "password = '%s'",
    "dsn = 'password=%(pw)s'",
    "password: '****'",
    "def connect(*args, password=None):",
    'print(f"password={password!r}")',
    "SINGLE_TOKENS = {**tokens.Tokenizer.SINGLE_TOKENS}",
    "DISTINCT_TOKENS = {TokenType.DISTINCT, TokenType.ALL}",
    "$password = $_POST['password'];",
    "last_pass = DEFAULT_LAST_PASS",
    "DEFAULT_LAST_PASS: Final = 2",
    "def _groups(tokens: list[str]) -> list[list[str]]:",
    "token = tokens[0]",
    "statements_pass: list[ast.stmt] = []",
    "# First pass: collect the names",
    "Pass :meth:`peek` a default",
    "docker run -u 1000:1000 image",
    "git push -u origin main",
    "echo $TOKEN | docker login --password-stdin",
    'mysql -p"$MYSQL_PWD" shop',
    "mysql -p shop",
    "curl -u $API_USER:$API_TOKEN https://api.example.com",
    "The --username and --password options can be given",
    "http://example.com:8080/path@v2",
    "PASSWORD=\necho done",
    "-----BEGIN  CERTIFICATE-----\nMIIC\n-----END  CERTIFICATE-----",
    "ask the task owner about the disk risk",
    "hf_hub_download(repo_id)",
    "npm_config_registry=https://registry.npmjs.org",
    "AccountKey=<storage key> goes in the connection string",
    "the aws secret manager holds the key",
    "?sig=abc&sv=1",
    # Values that are code, not literals: a variable, a dotted path, a YAML tag.
    "self.password = password",
    "user.password = form.password.data",
    "SECRET_KEY = settings.SECRET_KEY",
    "api_key = config.api_key",
    "self.api_key = api_key",
    "let secret = &args.secret;",
    "let token = &self.token;",
    "const token = req.headers.authorization;",
    "self.token = Config::TOKEN;",
    "$this->api_key = $this->config->api_key;",
    "password = hashed_password",
    "token = accessToken",
    "password=password",
    "password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  66386439653236336462626566653063",
    "api_password: !secret http_password",
    "DbPassword: !Ref DbPasswordParameter",
    "token = '<your-token>'",
    "    RABBITMQ_DEFAULT_PASS: guest",
    # Look-alikes of the password files and of the short name.
    "00:11:22:33:44:55",
    "2024:12:04:05:20:11",
    "root:x:0:0:root:/root:/bin/bash",
    "localhost:5432:app:postgres:*",
    "Machine learning login flows password rules",
    "machine learning login flows password rules",
    "pw = getpass.getpass()",
    "upward = north_east",
    "PWA=enabled",
    # A variable or keyword after the name, in an object, a call or an expression.
    'return {"access_token": token, "token_type": "bearer"}',
    "Token(access_token=token, token_type='bearer')",
    "res.json({ accessToken: token, refreshToken });",
    "return &Client{AccessToken: token, APIKey: apiKey}",
    "user.update!(reset_password_token: token)",
    "const user = await prisma.user.create({ data: { email, password: await bcrypt.hash("
    "password, 10) } });",
    "password = await get_password(user)",
    "await User.create({ email, password: hash });",
    "data: { password: hashed }",
    "$user = ['password' => hashed, 'name' => $name];",
    # Optional chaining and the non-null assertion.
    "const token = user?.token ?? '';",
    "const apiKey = config?.apiKey;",
    "const token = session?.accessToken;",
    "const token = req.cookies?.token;",
    "const secret = process.env!.SECRET;",
    # Types.
    "input LoginInput {\n  password: String!\n}",
    "pub api_key: Option<String>,",
    "fn connect(password: &str, host: &str) -> Result<()> {",
    "pub secret: Vec<u8>,",
    "token: Arc<str>,",
    "val apiKey: String?",
    "let token: String?",
    "interface Claims { accessToken: JwtPayload; secret: Buffer; }",
    "    refresh_token: Token",
    "    client_secret: HTTPBasicCredentials",
    # Constants that name a key or a field rather than hold a secret.
    "const TOKEN_KEY = 'access_token';",
    "ACCESS_TOKEN = 'accessToken'",
    'PASSWORD_FIELD = "password_confirmation"',
    "API_KEY_HEADER_NAME = 'x-api-key'",
    # Dependencies whose package name holds a secret word: the value is a version or a source.
    '"jsonwebtoken": "^9.0.2",',
    '  "js-tokens": "^4.0.0",',
    "SecretStorage==3.3.3\ntokenizers==0.15.2\ntiktoken==0.7.0\n",
    'tokenizers = "^0.15.2"',
    'jsonwebtoken = "9.2.0"',
    '"secretlint": ">= 8.1.0 < 9"',
    '"@types/jsonwebtoken": "*",',
    '"tokenlens": "latest",',
    '"@acme/token-utils": "workspace:*",',
    '"passport-jwt": "github:mikenicholson/passport-jwt#v4.0.1",',
    'tokenizers = { version = "0.19.1", features = ["http"] }',
    "python-keycloak-token==1.0.0rc1",
    "pip install python-keycloak-token==1.0.0rc1",
    # A README's package.json: digits and dots after a range operator are a version anywhere.
    '"@octokit/auth-token": "^4.0.0",',
    # Twins of the URL passwords with "#" or "?": a port, then a query or a fragment.
    "https://host:8443?email=a@b.com",
    "http://localhost:3000#/users/a@b",
    # GitHub Actions.
    "permissions:\n  id-token: write\n  contents: read\n",
    "    secrets: inherit",
    "* **secret:** no longer logged at debug level",
    # Helm values that name the Kubernetes secret holding a password, and its keys.
    "auth:\n  existingSecret: postgres-credentials\n  secretKeys:\n"
    "    adminPasswordKey: postgres-password\n    replicationPasswordKey: repl-password\n",
    "auth:\n  existingSecret: pg-auth\n",
    "  passwordSecretRef: mongo-auth",
    # Look-alikes of a bare "pass", of a key in base64 and of a bot's token.
    '{"pass": "12/12", "fail": "0/12"}',
    "steps: [{ pass: 'first' }, { pass: 'second' }]",
    "client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=",
    "mac 00:aa:bb:cc:dd:ee and 2024-01-01T12:00:00:AA",
    "https://discord.com/api/webhooks",
    # A tokenizer's settings and a model's token limits.
    "tokenizer: cl100k_base",
    "tokenizer = 'bert-base-uncased'",
    'tokenizer = "gpt2"',
    '{"tokenizer": "sentencepiece", "tokenizer_class": "LlamaTokenizer"}',
    "tokenizer_mode: auto",
    "tokens: 128k",
    'token_budget = "128k"',
    "context_tokens: 200k",
    "max_tokens: 4096",
    # A rate limiter's token bucket, and where a browser keeps a token.
    "token_bucket_rate: 100/s",
    "token_refill: 10/min",
    "tokens_per_interval = '5000 / hour'",
    "const TOKEN_STORAGE = 'localStorage';",
    # A template tag that a page is rendered with, and a pattern that checks a secret.
    '<input type="hidden" name="csrf_token" value="<%= csrf_token %>">',
    "password: <?= $password ?>",
    'PASSWORD_REGEX = "^(?=.*[A-Z])(?=.*[0-9]).{8,}$"',
    'var tokenPattern string = "^[a-z0-9]{32}$"',
    "token_re = r'^tok_[A-Za-z0-9]{24}$'",
    "auth: { token: 'sessionStorage' }",
    # Where a secret is kept: a path or a file name, and a secret manager's reference.
    "GOOGLE_APPLICATION_CREDENTIALS=./creds/sa.json",
    "GOOGLE_APPLICATION_CREDENTIALS=/etc/gcp/sa.json",
    "GOOGLE_APPLICATION_CREDENTIALS=C:\\keys\\sa.json",
    "credentials: ./service-account.json",
    "credentials: service-account.json",
    "private_key: ~/.ssh/id_ed25519",
    'ssl_key: "tls.key"\nkeystore_password_file: release.keystore\nsecret_key: keystore.p12',
    "dbPassword: projects/my-proj/secrets/db-password/versions/latest",
    "password: vault:secret/data/db#password",
    "secretArn: arn:aws:secretsmanager:us-east-1:1:secret:x",
    "DB_PASSWORD=op://vault/item/field",
    'password: "op://Private/Prod DB/password"',
    "api_key: sm://my-project/api-key",
    "token: ref+vault://secret/data/app#/token",
    "client_secret: https://kv-prod.vault.azure.net/secrets/client-secret",
    # Facts about a secret: its scope, algorithm, prefix, storage key, a switch.
    "secret_scope: prod-scope",
    "token_scope: read:org",
    "TOKEN_ALGORITHM = 'RS256'",
    "TOKEN_PREFIX = 'tok_'",
    "tokenStorageKey = 'app.session.token'",
    "token_endpoint_auth_method: client_secret_basic",
    "secret: enabled",
    "secret: disabled",
    # Twins of the typed declarations: no default, or a default that is code.
    "db_password: str = None",
    'api_key: str = ""',
    'SECRET_KEY: Final[str] = os.environ["SECRET_KEY"]',
    "db_password: Optional[str] = Field(default=None, min_length=8)",
    "const dbPassword: string = process.env.DB_PASSWORD;",
    "val apiKey: String = BuildConfig.API_KEY",
    'var apiSecret string = os.Getenv("API_SECRET")',
    "public string ApiKey { get; set; } = string.Empty;",
    "def login(user: str, password: str = None) -> bool:",
    # Twins of the literal fallbacks: none, an empty one, or one that is code.
    'os.getenv("DB_PASSWORD")',
    'os.environ.get("API_KEY", "")',
    'const pw = process.env.DB_PASSWORD || "";',
    "const key = process.env.API_KEY ?? null;",
    "'password' => env('DB_PASSWORD'),",
    'os.getenv("TOKEN_TTL", "3600")',
    'os.environ.get("API_KEY", default_key)',
    "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-}",
    'api_key = os.environ.get("API_KEY") or ""',
    'api_key = os.environ.get("API_KEY") or default_key',
    'self.api_key_source = kwargs.get("api_key_source") or "HEADER"',
    '<add key="ApiKey" value="%API_KEY%" />',
    "API_KEY: ${API_KEY:-$DEFAULT_API_KEY}",
    "password: ${DB_PASSWORD:?set DB_PASSWORD}",
    'args="${TOKEN:+--token $TOKEN}"',
    'echo "${TOKEN:10:20}"',
    # Twins of PASSWORD_ADMIN and secret_id: the short word is a word of its own, the id
    # a key's, or AWS's SecretId, which names a secret.
    '{"SecretId": "BillingDatabaseCreds"}',
    # An enum's value that spells its name, a tokenizer's punctuation, where a token goes.
    'TokenIssuance: Final = "token_issuance"',
    'REFRESH_TOKEN_AUTH = "REFRESH_TOKEN_AUTH"',
    'TOKEN_ENDERS: Final = ",;}) +-*/^&=><%"',
    '        default_token_placement: _TokenPlacement = "auth_header",',
    "api_key_id: Wg5rQ2mLp9Xk7vB3",
    "TOKEN_ID=Wg5rQ2mLp9Xk7vB3",
    "tokenUrl: auth-Wg5rQ2mLp9",
    # Twins of the literals set through a subscript or a call: code, or wp-config-sample's
    # stand-in.
    'os.environ["DB_PASSWORD"] = password',
    'app.config["SECRET_KEY"] = os.urandom(24)',
    'if os.environ["API_TOKEN"] == "":',
    'System.setProperty("db.password", password);',
    "define( 'DB_PASSWORD', getenv('DB_PASSWORD') );",
    "define( 'AUTH_KEY', 'put your unique phrase here' );",
    # Twins of the name and value given apart: the value is kept elsewhere, or code.
    "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n"
    "        key: password\n",
    '{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/db"}',
    'env {\n  name  = "API_TOKEN"\n  value = var.api_token\n}',
    '  - name: DB_PASSWORD\n    value: ""\n',
    "  - name: DB_PASSWORD\n    value: ${DB_PASSWORD}\n",
]


# Translation files, where one word is UI text too: (path, text), no finding for the guard.
TRANSLATIONS = [
    ("locales/de.yml", "login:\n  password: Passwort\n  token: Zugangstoken\n"),
    ("config/locales/fr.yml", "fr:\n  password: mot de passe\n"),
    ("src/i18n/fr.ts", "export default { password: 'Mot de passe', secret: 'Secret' };"),
    ("public/locales/ja/common.json", '{"password": "\u30d1\u30b9\u30ef\u30fc\u30c9"}'),
    ("messages_de.properties", "login.password=Passwort vergessen?\n"),
    ("de.json", '{"api_key": "API-Schl\u00fcssel"}'),
]
# Their twins: (path, text, the secret the guard must still find).
TRANSLATION_SECRETS = [
    ("config/database.yml", "password: Passwort\n", "Passwort"),
    ("locales/de.yml", "password: Passw0rt!\n", "Passw0rt!"),
    ("locales/en.json", '{"api_key": "AKIAUJZDEGXDNCF32EPF"}', "AKIAUJZDEGXDNCF32EPF"),
]


# Sample and template files, whose values are stand-ins: (path, text), no finding for the guard.
SAMPLES = [
    (".env.example", "DATABASE_URL=postgres://app:devpass@localhost:5432/app\n"
                     "JWT_SECRET=jwtsecret\nSESSION_SECRET=keyboard cat\n"),
    (".env.sample", "API_TOKEN=devtoken\nREDIS_PASSWORD=localdev123\n"),
    ("deploy/.env.template", "SMTP_PASS=smtp-password\n"),
    ("config/settings.example.yml", "database:\n  password: localpass\n"),
    ("example.env", "SECRET_KEY=not-so-secret\n"),
]
# Their twins: (path, text, the secret the guard must still find).
SAMPLE_SECRETS = [
    (".env.example", "JWT_SECRET=c8f2a91d7e4b6f30\n", "c8f2a91d7e4b6f30"),
    (".env.sample", "DB_PASSWORD=Tr0ub4dor&3\n", "Tr0ub4dor&3"),
    (".env.template", "STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
     "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    (".env.example", "DATABASE_URL=postgres://app:S3cr3tPass@db.internal:5432/app\n",
     "S3cr3tPass"),
    (".env", "SESSION_SECRET=localdev123\n", "localdev123"),
]


# Files that hold literals, never code (dotenv, .properties, .ini), where an unquoted value is
# no code, type or prose: (path, text), no finding for the guard.
LITERAL_FILES = [
    (".env", "DB_PASSWORD=${DB_PASSWORD}\nAPI_TOKEN=$VAULT_TOKEN\nSMTP_PASSWORD=\n"
             "SECRET_KEY=changeme\nPASSWORD_FILE=/run/secrets/db\n"),
    (".env.production", "AUTH_TOKEN_COOKIE=access_token\ncompass=north\n"),
    (".env", "PASSWORD_RESET_SUBJECT=Reset your password\n"
             'TOKEN_EXPIRED_MESSAGE="Your session has expired"\n'),
    ("src/main/resources/application.properties",
     "spring.datasource.password=${DB_PASSWORD}\nssl.truststore.location=/etc/ssl/trust.jks\n"),
    ("config/app.ini", "[db]\npassword =\ntoken_file = /run/secrets/token\n"),
    # Message bundles hold UI text, as translation files do.
    ("src/main/resources/messages.properties", "password.required=Password is required\n"),
]
# Their twins: (path, text, the secret the guard must still find).
LITERAL_SECRETS = [
    (".env", "DB_PASSWORD=CorrectHorseBatteryStaple\n", "CorrectHorseBatteryStaple"),
    (".env.production", "DB_PASSWORD=Kx9mQ2.vLp8Wz\n", "Kx9mQ2.vLp8Wz"),
    ("deploy/prod.env", "DB_PASSWORD=Summer2024?\n", "Summer2024?"),
    (".env", "SESSION_SECRET=BlueSecretTiger\n", "BlueSecretTiger"),
    (".env.local", "SMTP_PASS=sunshine\n", "sunshine"),
    (".env", "MAIL_PASS=Dragonfly\n", "Dragonfly"),
    ("src/main/resources/application.properties",
     "spring.datasource.password=Winter Is Coming 2024\n", "Winter Is Coming 2024"),
    ("config/app.ini", "[db]\npassword = Dragon fly ; the admin's\n", "Dragon fly"),
]


@pytest.mark.parametrize(("path", "text"), LITERAL_FILES)
def test_references_in_a_file_of_literals_are_no_finding(path, text):
    assert find_secrets(text, placeholders=False, path=path) == []


@pytest.mark.parametrize(("path", "text", "secret"), LITERAL_SECRETS)
def test_a_word_in_a_file_of_literals_is_a_finding(path, text, secret):
    assert [text[s:e] for _, s, e in find_secrets(text, placeholders=False, path=path)] == [
        secret]


def test_the_same_words_in_code_are_no_finding():
    for _path, text, _secret in LITERAL_SECRETS:
        if "password=Winter" not in text and "[db]" not in text:
            assert find_secrets(text, placeholders=False, path="app/settings.py") == [], text


@pytest.mark.parametrize("path", [".env", ".env.local", "deploy/.env.production", "prod.env",
                                  "application.properties", "config\\app.ini", "tox.ini"])
def test_files_of_literals_are_told_by_their_name(path):
    assert is_literal_path(path)


@pytest.mark.parametrize("path", ["", ".env.example", "example.env", "config.example.ini",
                                  "settings.py", ".envrc", "environment.yml", "messages.properties",
                                  "src/env.ts"])
def test_other_files_are_no_files_of_literals(path):
    assert not is_literal_path(path)


# Files that list dependencies, where a version or a source is one under any name:
# (path, text), no finding for the guard.
DEPENDENCIES = [
    ("package.json", '{"dependencies": {\n  "csrf-token": "1.0.0-beta.2",\n'
                     '  "api-key": "file:../api-key"\n}}\n'),
    ("pyproject.toml", '[tool.poetry.dependencies]\nauth-token = "0.4.1rc1"\n'),
    ("requirements/dev.txt", "auth-token==0.4.1\n"),
]
# Their twins: (path, text, the secret the guard must still find).
DEPENDENCY_SECRETS = [
    ("package.json", '{"config": {"api-key": "7rc123456"}}\n', "7rc123456"),
    ("README.md", '  "csrf-token": "1.0.0-beta.2",\n', "1.0.0-beta.2"),
    ("config/app.json", '{"api-key": "file:Zq8kL2mN9pWx"}\n', "file:Zq8kL2mN9pWx"),
]


@pytest.mark.parametrize(("path", "text"), DEPENDENCIES)
def test_versions_in_a_dependency_file_are_no_finding(path, text):
    assert find_secrets(text, placeholders=False, path=path) == []


@pytest.mark.parametrize(("path", "text", "secret"), DEPENDENCY_SECRETS)
def test_a_secret_beside_the_versions_is_still_a_finding(path, text, secret):
    assert [text[s:e] for _, s, e in find_secrets(text, placeholders=False, path=path)] == [
        secret]


@pytest.mark.parametrize("path", ["package.json", "web/package.json", "requirements.txt",
                                  "requirements-dev.txt", "requirements/base.txt", "Cargo.toml",
                                  "Gemfile", "go.mod", "pnpm-lock.yaml", "poetry.lock",
                                  "environment.yml", "setup.cfg", "Pipfile", "acme.gemspec"])
def test_dependency_files_are_told_by_their_name(path):
    assert is_dependency_path(path)


@pytest.mark.parametrize("path", ["", "README.md", "config/app.json", "settings.toml",
                                  "notes.txt", "src/requirements.py", ".env"])
def test_other_files_are_no_dependency_files(path):
    assert not is_dependency_path(path)


@pytest.mark.parametrize(("path", "text"), SAMPLES)
def test_stand_ins_in_a_sample_file_are_no_finding(path, text):
    assert find_secrets(text, placeholders=False, path=path) == []


@pytest.mark.parametrize(("path", "text", "secret"), SAMPLE_SECRETS)
def test_a_real_looking_secret_in_a_sample_file_is_still_a_finding(path, text, secret):
    assert [text[s:e] for _, s, e in find_secrets(text, placeholders=False, path=path)] == [
        secret]


@pytest.mark.parametrize("path", [".env.example", ".env.sample", ".env.template", ".env.dist",
                                  "config/settings.example.yml", "example.env",
                                  "docker-compose.yml.dist", "app.template.json"])
def test_sample_files_are_told_by_their_name(path):
    assert is_sample_path(path)


@pytest.mark.parametrize("path", ["", ".env", ".env.local", ".env.production", "example.py",
                                  "samples/app.py", "sample_data.json", "templates/base.html"])
def test_other_files_are_no_sample_files(path):
    assert not is_sample_path(path)


@pytest.mark.parametrize(("path", "text"), TRANSLATIONS)
def test_words_in_a_translation_file_are_no_finding(path, text):
    assert find_secrets(text, placeholders=False, path=path) == []


@pytest.mark.parametrize(("path", "text", "secret"), TRANSLATION_SECRETS)
def test_a_secret_in_a_translation_file_is_still_a_finding(path, text, secret):
    assert [text[s:e] for _, s, e in find_secrets(text, placeholders=False, path=path)] == [
        secret]


@pytest.mark.parametrize("path", ["locales/fr.json", "src/i18n/de.yml", "de-DE.json", "en.po",
                                  "app_en.arb", "res/values-fr/strings.xml", "pt_BR.yaml",
                                  "messages.fr.json", "Base.lproj/Localizable.strings"])
def test_translation_files_are_told_by_their_path(path):
    assert is_locale_path(path)


@pytest.mark.parametrize("path", ["", "config/db.yml", "src/messages.py", ".env", "settings.json",
                                  "docker-compose.yml", "tests/fixtures/users.json"])
def test_other_files_are_no_translation_files(path):
    assert not is_locale_path(path)


def test_corpus_counts_no_false_positive_and_no_false_negative():
    # Secrets: every CAUGHT, TRANSLATION_SECRETS, SAMPLE_SECRETS, DEPENDENCY_SECRETS and
    # LITERAL_SECRETS text, judged as the guard judges them (placeholders=False); a false
    # negative is one with no finding. Non-secrets: LEFT_ALONE, PLACEHOLDERS, TRANSLATIONS,
    # SAMPLES, DEPENDENCIES and LITERAL_FILES; a false positive is one with a finding.
    secrets = ([(t, "") for t, _k, _s in CAUGHT] + [(t, p) for p, t, _s in TRANSLATION_SECRETS]
               + [(t, p) for p, t, _s in SAMPLE_SECRETS]
               + [(t, p) for p, t, _s in DEPENDENCY_SECRETS]
               + [(t, p) for p, t, _s in LITERAL_SECRETS])
    others = ([(t, "") for t in LEFT_ALONE] + [(t, "") for t, _m in PLACEHOLDERS]
              + [(t, p) for p, t in TRANSLATIONS] + [(t, p) for p, t in SAMPLES]
              + [(t, p) for p, t in DEPENDENCIES] + [(t, p) for p, t in LITERAL_FILES])
    missed = [t for t, p in secrets if not find_secrets(t, placeholders=False, path=p)]
    flagged = [t for t, p in others if find_secrets(t, placeholders=False, path=p)]

    assert (len(secrets), len(others)) == (198, 329)
    assert (missed, flagged) == ([], [])


@pytest.mark.parametrize(("text", "kind", "secret"), CAUGHT, ids=[c[1] + str(i) for i, c in
                                                                  enumerate(CAUGHT)])
def test_secret_is_found_and_masked(text, kind, secret):
    spans = find_secrets(text)

    assert [(k, text[s:e]) for k, s, e in spans] == [(kind, secret)]
    masked = redact(text)
    assert secret not in masked
    assert f"[REDACTED:{kind}]" in masked


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_innocuous_text_is_left_alone(text):
    assert find_secrets(text) == []
    assert redact(text) == text


@pytest.mark.parametrize(("text", "kind", "secret"), CAUGHT, ids=[c[1] + str(i) for i, c in
                                                                  enumerate(CAUGHT)])
def test_the_guard_finds_every_secret_redaction_masks(text, kind, secret):
    assert find_secrets(text, placeholders=False) == find_secrets(text)


@pytest.mark.parametrize(("text", "masked"), PLACEHOLDERS)
def test_a_placeholder_is_masked_but_is_no_finding_for_the_guard(text, masked):
    assert [text[s:e] for _, s, e in find_secrets(text)] == [masked]
    assert find_secrets(text, placeholders=False) == []


def test_a_real_secret_beside_a_placeholder_is_still_a_finding():
    text = "API_KEY=changeme\nAWS_ACCESS_KEY_ID=AKIAUJZDEGXDNCF32EPF\n"

    assert [text[s:e] for _, s, e in find_secrets(text, placeholders=False)] == [
        "AKIAUJZDEGXDNCF32EPF"]


def test_a_google_key_beside_a_firebase_config_is_still_a_finding():
    text = ('const firebaseConfig = {\n  apiKey: "AIzaSyB3xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0",\n'
            '  authDomain: "shop-prod.firebaseapp.com",\n};\n'
            'const MAPS_SERVER_KEY = "AIzaSyC9xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG1";')

    assert [text[s:e] for _, s, e in find_secrets(text, placeholders=False)] == [
        "AIzaSyC9xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG1"]
    assert len(find_secrets(text)) == 2  # redaction masks both


def test_corpus_has_at_least_forty_cases():
    assert len(CAUGHT) + len(LEFT_ALONE) >= 40
    assert len(CAUGHT) >= 20 and len(LEFT_ALONE) >= 20


def test_invisible_characters_map_back_onto_the_original_text():
    text = "x pass\u200bword=Hidd3n\u200bPass y"

    assert redact(text) == "x pass\u200bword=[REDACTED:assignment] y"


def test_several_secrets_in_one_text_are_all_masked_in_place():
    text = "AKIAUJZDEGXDNCF32EPF then password=hunter22 then end"

    assert redact(text) == ("[REDACTED:aws-access-key] then password=[REDACTED:assignment] "
                            "then end")


def test_redaction_is_stable_when_applied_twice():
    once = redact("token = abcdef123456 and sk_live_4eC39HqLyjWDarjtT1zdp7dc")

    assert redact(once) == once


def test_empty_text_has_no_secrets():
    assert find_secrets("") == []
    assert redact("") == ""


def test_plain_text_compiles_no_pattern():
    from pact_runtime import redaction

    redaction._CACHE.clear()

    assert find_secrets("The orders report is slow after the nightly backfill.") == []
    assert redaction._CACHE == {}


def test_a_real_password_that_looks_like_a_placeholder_is_still_masked():
    assert redact("password=changeme") == "password=[REDACTED:assignment]"


@pytest.mark.parametrize("text", [
    "Rotate the API tokens monthly; the key vault holds them.",
    "Passwords are hashed with argon2: never log them.",
    "Bearer tokens expire after an hour.",
])
def test_prose_about_secrets_compiles_no_pattern(text):
    from pact_runtime import redaction

    redaction._CACHE.clear()

    assert find_secrets(text) == []
    assert redaction._CACHE == {}
