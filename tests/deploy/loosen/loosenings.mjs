// One loosening per entry, each applied to a fresh copy of the deployment (deploy/: terraform,
// cloud-init, templates). check-terraform.mjs must FAIL on every one of them and name at least
// the checks in `expect`.
//
//   append: { "terraform/loosened.tf": "...", ... }   new files (form-independent: work on any
//                                                     deployment that follows the contract)
//   edit:   { file: /regex on file names/, apply: (text) => text }
//           changes existing files, some in deploy/terraform's own form (written for it, they
//           match nothing in the fixtures under tests/deploy/fixtures); the runner fails the
//           case if nothing changed, so an edit that no longer matches cannot pass silently.
import { createHash } from "node:crypto";

const rule = (name, body) => `resource "aws_vpc_security_group_ingress_rule" "${name}" {\n${body}\n}\n`;

export const loosenings = [
    {
        name: "database admits 0.0.0.0/0 on 3306",
        expect: ["a", "b", "c"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id = aws_security_group.database.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 3306
  to_port           = 3306
  ip_protocol       = "tcp"`),
        },
    },
    {
        name: "database admits ::/0 on 3306 (IPv6)",
        expect: ["a", "b", "c"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id = aws_security_group.database.id
  cidr_ipv6         = "::/0"
  from_port         = 3306
  to_port           = 3306
  ip_protocol       = "tcp"`),
        },
    },
    {
        name: "proxy also admits the gatekeeper SG",
        expect: ["b"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id            = aws_security_group.proxy.id
  referenced_security_group_id = aws_security_group.gatekeeper.id
  from_port                    = 3306
  to_port                      = 3306
  ip_protocol                  = "tcp"`),
        },
    },
    {
        name: "database admits the trusted_host SG (skips the proxy)",
        expect: ["b"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id            = aws_security_group.database.id
  referenced_security_group_id = aws_security_group.trusted_host.id
  from_port                    = 3306
  to_port                      = 3306
  ip_protocol                  = "tcp"`),
        },
    },
    {
        name: "trusted_host admits the gatekeeper SG on 0-65535",
        expect: ["b"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id            = aws_security_group.trusted_host.id
  referenced_security_group_id = aws_security_group.gatekeeper.id
  from_port                    = 0
  to_port                      = 65535
  ip_protocol                  = "tcp"`),
        },
    },
    {
        name: "trusted_host admits the gatekeeper SG on an extra port",
        expect: ["b"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id            = aws_security_group.trusted_host.id
  referenced_security_group_id = aws_security_group.gatekeeper.id
  from_port                    = 8080
  to_port                      = 8080
  ip_protocol                  = "tcp"`),
        },
    },
    {
        name: "database admits the proxy SG with ip_protocol -1",
        expect: ["b"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id            = aws_security_group.database.id
  referenced_security_group_id = aws_security_group.proxy.id
  ip_protocol                  = "-1"`),
        },
    },
    {
        name: "gatekeeper admits 0.0.0.0/0 (literal) on the HTTPS port",
        expect: ["a", "b"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id = aws_security_group.gatekeeper.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = var.https_port
  to_port           = var.https_port
  ip_protocol       = "tcp"`),
        },
    },
    {
        name: "gatekeeper admits 0.0.0.0/0 (literal) on the MySQL port",
        expect: ["a", "b", "c"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id = aws_security_group.gatekeeper.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = var.mysql_port
  to_port           = var.mysql_port
  ip_protocol       = "tcp"`),
        },
    },
    {
        name: "gatekeeper admits the client CIDRs on every port",
        expect: ["b"],
        append: {
            "terraform/loosened.tf": `${rule("loosened", `
  for_each          = toset(var.allowed_client_cidrs)
  security_group_id = aws_security_group.gatekeeper.id
  cidr_ipv4         = each.value
  from_port         = 0
  to_port           = 65535
  ip_protocol       = "tcp"`)}`,
        },
    },
    {
        name: "allowed_client_cidrs defaults to the whole internet",
        expect: ["a", "c"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) => {
                const re = /(variable\s+"allowed_client_cidrs"\s*\{)([\s\S]*?\n\})/;
                const m = re.exec(text);
                if (!m) return text;
                let body = m[2].replace(/\n\s*default\s*=\s*(\[[^\]]*\]|"[^"]*"|null)[^\n]*/, "");
                // A validation block may reject /0 at plan time; the offline check must not rely on it.
                body = body.replace(/\n\s*validation\s*\{[\s\S]*?\n  \}/, "");
                return text.replace(re, `${m[1]}\n  default = ["0.0.0.0/0"]${body}`);
            },
        },
    },
    {
        // deploy/terraform's own form: the client ports come from one map of locals
        name: "one more client port through the gatekeeper's port map",
        expect: ["b"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) => text.replace(/(\n(\s*)client_ports\s*=\s*\{)/, "$1\n$2  ssh = 22"),
        },
    },
    {
        // deploy/terraform's own form: SSH is switched on by ssh_key_name, off by default; the
        // checks judge the rule anyway, and its address list must be one the operator sets
        name: "the optional SSH rule's address list gets a default",
        expect: ["a", "b", "g"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) =>
                text.replace(/(variable\s+"admin_ssh_cidrs"\s*\{[\s\S]*?\bdefault\s*=\s*)\[\]/, '$1["198.51.100.0/24"]'),
        },
    },
    {
        name: "legacy aws_security_group_rule: database admits 0.0.0.0/0",
        expect: ["a", "b", "c"],
        append: {
            "terraform/loosened.tf": `resource "aws_security_group_rule" "loosened" {
  type              = "ingress"
  security_group_id = aws_security_group.database.id
  cidr_blocks       = ["10.0.0.0/8", "0.0.0.0/0"]
  from_port         = 3306
  to_port           = 3306
  protocol          = "tcp"
}
`,
        },
    },
    {
        name: "legacy aws_security_group_rule: proxy admits the gatekeeper SG, all protocols",
        expect: ["b"],
        append: {
            "terraform/loosened.tf": `resource "aws_security_group_rule" "loosened" {
  type                     = "ingress"
  security_group_id        = aws_security_group.proxy.id
  source_security_group_id = aws_security_group.gatekeeper.id
  from_port                = 0
  to_port                  = 0
  protocol                 = "-1"
}
`,
        },
    },
    {
        name: "legacy inline ingress block: proxy admits 10.0.0.0/8",
        expect: ["a", "b"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) =>
                text.replace(
                    /(resource\s+"aws_security_group"\s+"proxy"\s*\{)/,
                    `$1
  ingress {
    from_port   = 3306
    to_port     = 3306
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }`
                ),
        },
    },
    {
        name: "legacy dynamic ingress block: trusted_host admits the proxy SG",
        expect: ["b"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) =>
                text.replace(
                    /(resource\s+"aws_security_group"\s+"trusted_host"\s*\{)/,
                    `$1
  dynamic "ingress" {
    for_each = [3306]
    content {
      from_port       = ingress.value
      to_port         = ingress.value
      protocol        = "tcp"
      security_groups = [aws_security_group.proxy.id]
    }
  }`
                ),
        },
    },
    {
        name: "an extra security group admits the VPC",
        expect: ["a", "b"],
        append: {
            "terraform/loosened.tf": `resource "aws_security_group" "bastion" {
  name = "bastion"
  ingress {
    from_port   = 3306
    to_port     = 3306
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`,
        },
    },
    {
        name: "a rule on a security group this directory does not define",
        expect: ["b"],
        append: {
            "terraform/loosened.tf": `data "aws_security_group" "elsewhere" {
  name = "elsewhere"
}
${rule("loosened", `
  security_group_id            = data.aws_security_group.elsewhere.id
  referenced_security_group_id = aws_security_group.gatekeeper.id
  from_port                    = 3306
  to_port                      = 3306
  ip_protocol                  = "tcp"`)}`,
        },
    },
    {
        name: "SSH on the gatekeeper from a variable with a default",
        expect: ["a", "g"],
        append: {
            "terraform/loosened.tf": `variable "ssh_cidr" {
  description = "Where SSH may come from"
  type        = string
  default     = "203.0.113.0/24"
}
${rule("loosened", `
  security_group_id = aws_security_group.gatekeeper.id
  cidr_ipv4         = var.ssh_cidr
  from_port         = 22
  to_port           = 22
  ip_protocol       = "tcp"`)}`,
        },
    },
    {
        name: "SSH on the trusted host from the gatekeeper SG",
        expect: ["b", "g"],
        append: {
            "terraform/loosened.tf": rule("loosened", `
  security_group_id            = aws_security_group.trusted_host.id
  referenced_security_group_id = aws_security_group.gatekeeper.id
  from_port                    = 22
  to_port                      = 22
  ip_protocol                  = "tcp"`),
        },
    },
    {
        name: "a variable without a description",
        expect: ["e"],
        append: { "terraform/loosened.tf": `variable "loosened" {\n  type = string\n  default = "x"\n}\n` },
    },
    {
        name: "a variable without a type",
        expect: ["e"],
        append: { "terraform/loosened.tf": `variable "loosened" {\n  description = "no type"\n  default = "x"\n}\n` },
    },
    {
        name: "a literal password in a resource",
        expect: ["d"],
        append: {
            "terraform/loosened.tf": `resource "aws_ssm_parameter" "loosened" {
  name     = "/sqlgate/db"
  type     = "SecureString"
  password = "correct-horse-battery"
  value    = "x"
}
`,
        },
    },
    {
        name: "a literal token in locals",
        expect: ["d"],
        append: { "terraform/loosened.tf": `locals {\n  api_token = "tok-0123-not-a-reference"\n}\n` },
    },
    {
        name: "an AWS access key id in a .tf file",
        expect: ["d"],
        append: {
            "terraform/loosened.tf": `provider "aws" {\n  alias      = "loosened"\n  access_key = "AKIAIOSFODNN7EXAMPLE"\n}\n`,
        },
    },
    {
        name: "a long hex literal (a key or digest)",
        expect: ["d"],
        append: { "terraform/loosened.tf": `locals {\n  loosened = "0123456789abcdef0123456789abcdef01234567"\n}\n` },
    },
    {
        name: "a private key block in a role-config template",
        expect: ["d"],
        append: {
            "templates/loosened.toml.tftpl":
                '[tls]\nkey = """\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oooZ6xBhUgDFoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n"""\n',
        },
    },
    {
        name: "a literal password in a cloud-init template",
        expect: ["d"],
        append: {
            "cloud-init/loosened.yaml.tftpl": "#cloud-config\nchpasswd:\n  users:\n    - name: admin\n      password: hunter2-plain\n",
        },
    },
    {
        name: "IMDSv1 allowed (http_tokens optional)",
        expect: ["f"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) => text.replace(/(http_tokens\s*=\s*)"required"/g, '$1"optional"'),
        },
    },
    {
        name: "an instance without metadata_options",
        expect: ["f"],
        append: {
            "terraform/loosened.tf": `resource "aws_instance" "proxy_spare" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.proxy.id]
}
`,
        },
    },
    {
        name: "the aws provider without an upper version bound",
        expect: ["f"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) => text.replace(/(\baws\s*=\s*\{[^}]*?\bversion\s*=\s*)"[^"]*"/, '$1">= 5.0"'),
        },
    },
    {
        name: "a private key in an instance's user_data",
        expect: ["f"],
        append: {
            "terraform/loosened.tf": `resource "tls_private_key" "loosened" {
  algorithm = "ECDSA"
}
locals {
  loosened_files = { key_b64 = base64encode(tls_private_key.loosened.private_key_pem) }
}
resource "aws_instance" "gatekeeper_spare" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.gatekeeper.id]
  metadata_options {
    http_tokens = "required"
  }
  user_data = jsonencode(local.loosened_files)
}
`,
        },
    },
    {
        name: "a database instance also in the trusted_host SG",
        expect: ["h"],
        append: {
            "terraform/loosened.tf": `resource "aws_instance" "database_spare" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.database.id, aws_security_group.trusted_host.id]
  metadata_options {
    http_tokens = "required"
  }
}
`,
        },
    },
    {
        name: "a database instance with a public IP",
        expect: ["h"],
        append: {
            "terraform/loosened.tf": `resource "aws_instance" "database_public" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  vpc_security_group_ids      = [aws_security_group.database.id]
  associate_public_ip_address = true
  metadata_options {
    http_tokens = "required"
  }
}
`,
        },
    },
    {
        // deploy/terraform's own form: the role hosts are one aws_instance over a map of roles
        name: "the proxy host's entry names the trusted_host SG",
        expect: ["h"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) =>
                text.replace(/(\n\s*proxy\s*=\s*\{[^}]*?\bsecurity_group\s*=\s*)aws_security_group\.proxy\.id/, "$1aws_security_group.trusted_host.id"),
        },
    },
    {
        // deploy/terraform's own form
        name: "the trusted host's entry gets a public address",
        expect: ["h"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) => text.replace(/(\n\s*"trusted-host"\s*=\s*\{[^}]*?\bpublic\s*=\s*)false/, "$1true"),
        },
    },
    {
        // deploy/terraform's own form: the Elastic IP names one instance of the role hosts
        name: "the Elastic IP goes to the proxy host",
        expect: ["h"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) => text.replace(/(instance_id\s*=\s*aws_instance\.\w+\[)"gatekeeper"\]/, '$1"proxy"]'),
        },
    },
    {
        // deploy/terraform's own form: the internal hops come from one map of locals
        name: "one more hop through the hop map: gatekeeper straight to the database",
        expect: ["b"],
        edit: {
            file: /^terraform\/.*\.tf$/,
            apply: (text) =>
                text.replace(
                    /(\n(\s*)hops\s*=\s*\{)/,
                    '$1\n$2  "gatekeeper-to-database" = { from = "gatekeeper", to = "database", ingress = "x", egress = "y" }'
                ),
        },
    },
];

// Breakages of the templates: render-cloud-init.mjs must FAIL on each, naming its checks.
const afterHeader = (line) => (text) => text.replace(/^(#cloud-config[^\n]*\n)/, `$1${line}\n`);
export const renderBreakages = [
    {
        name: "a template directive (%{ if })",
        expect: ["syntax"],
        append: { "cloud-init/loosened.yaml.tftpl": "#cloud-config\n%{ if region != \"\" }\nregion: ${region}\n%{ endif }\nruncmd: []\n" },
    },
    {
        name: "a function call in an interpolation",
        expect: ["syntax"],
        append: { "templates/loosened.toml.tftpl": 'name = "${upper(name)}"\n' },
    },
    {
        name: "a template variable Terraform does not pass",
        expect: ["vars"],
        edit: { file: /^cloud-init\/gatekeeper\.yaml\.tftpl$/, apply: afterHeader("loosened: ${loosened_setting}") },
    },
    {
        name: "templatefile() passes a list",
        expect: ["vars"],
        append: {
            "templates/loosened.toml.tftpl": 'names = "${names}"\n',
            "terraform/loosened.tf":
                'locals {\n  loosened = templatefile("${path.module}/../templates/loosened.toml.tftpl", { names = ["a", "b"] })\n}\n',
        },
    },
    {
        name: "a base64 blob written without 'encoding: b64'",
        expect: ["yaml", "user_data"],
        edit: { file: /^cloud-init\/gatekeeper\.yaml\.tftpl$/, apply: (t) => t.replace(/^[ \t]*encoding:[ \t]*b64[ \t]*\n/m, "") },
    },
    {
        name: "gzip data declared as plain b64",
        expect: ["yaml", "user_data"],
        edit: { file: /^cloud-init\/.*\.yaml\.tftpl$/, apply: (t) => t.replace(/encoding:[ \t]*gz\+b64/g, "encoding: b64") },
    },
    {
        name: "unquoted octal permissions",
        expect: ["yaml", "user_data"],
        edit: { file: /^cloud-init\/proxy\.yaml\.tftpl$/, apply: (t) => t.replace(/permissions:[ \t]*"(0[0-7]{3})"/, "permissions: $1") },
    },
    {
        name: "no #cloud-config first line",
        expect: ["yaml", "user_data"],
        edit: { file: /^cloud-init\/database\.yaml\.tftpl$/, apply: (t) => t.replace(/^#cloud-config[^\n]*\n/, "") },
    },
    {
        name: "runcmd is not a list",
        expect: ["yaml", "user_data"],
        edit: {
            file: /^cloud-init\/trusted-host\.yaml\.tftpl$/,
            apply: (t) => t.replace(/^runcmd:[ \t]*\n(?:[ \t]+-[^\n]*(?:\n|$))+/m, "runcmd: bash /usr/local/lib/sqlgate/bootstrap.sh\n"),
        },
    },
    {
        name: "a value that breaks the YAML (a: b: c)",
        expect: ["yaml", "user_data"],
        edit: { file: /^cloud-init\/gatekeeper\.yaml\.tftpl$/, apply: afterHeader("loosened: ${region}: here") },
    },
    {
        name: "a role config that is not valid TOML (a table twice)",
        expect: ["toml", "user_data"],
        edit: { file: /^templates\/gatekeeper\.toml\.tftpl$/, apply: (t) => `${t}\n[listener]\naddress = "${"${listen_address}"}"\n` },
    },
    {
        name: "user data over EC2's 16 KB",
        expect: ["user_data"],
        edit: {
            file: /^cloud-init\/bootstrap\.sh$/,
            apply: (t) => {
                // 24 KB that gzip cannot shrink: a hash chain, as comments.
                let h = "seed";
                const lines = [];
                for (let i = 0; i < 400; i++) {
                    h = createHash("sha512").update(h).digest("base64");
                    lines.push(`# ${h}`);
                }
                return `${t}\n${lines.join("\n")}\n`;
            },
        },
    },
];
