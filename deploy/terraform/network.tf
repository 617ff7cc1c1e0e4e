# One VPC in one availability zone: the gatekeeper alone in a public subnet, every other host
# in a private subnet whose only way out is the NAT gateway (packages, SSM, S3).

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ec2_instance_type_offerings" "in_zones" {
  location_type = "availability-zone"

  filter {
    name   = "instance-type"
    values = local.instance_types
  }
}

locals {
  instance_types = distinct([
    var.gatekeeper_instance_type,
    var.trusted_host_instance_type,
    var.proxy_instance_type,
    var.database_instance_type,
  ])
  offerings = data.aws_ec2_instance_type_offerings.in_zones
  # Not every zone offers every type (us-east-1e has no t3), so the zone is one that offers
  # all the types in use.
  usable_zones = sort([
    for zone in distinct(local.offerings.locations) : zone
    if contains(data.aws_availability_zones.available.names, zone) &&
    length(distinct([for i, l in local.offerings.locations : local.offerings.instance_types[i] if l == zone])) == length(local.instance_types)
  ])
  zone = var.availability_zone != null ? var.availability_zone : try(local.usable_zones[0], null)

  public_cidr  = cidrsubnet(var.vpc_cidr, 24 - tonumber(split("/", var.vpc_cidr)[1]), 0)
  private_cidr = cidrsubnet(var.vpc_cidr, 24 - tonumber(split("/", var.vpc_cidr)[1]), 1)
}

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name = "${var.name_prefix}-vpc"
  }
}

# The VPC's default security group would let any instance placed in it reach any other;
# nothing here uses it, and with no rules it admits nothing.
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "${var.name_prefix}-default-unused"
  }
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = local.public_cidr
  availability_zone       = local.zone
  map_public_ip_on_launch = false

  tags = {
    Name = "${var.name_prefix}-public"
  }

  lifecycle {
    precondition {
      condition     = local.zone != null
      error_message = "No availability zone of ${var.region} offers all of ${join(", ", local.instance_types)}; choose other instance types or set availability_zone."
    }
  }
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = local.private_cidr
  availability_zone = local.zone

  tags = {
    Name = "${var.name_prefix}-private"
  }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "${var.name_prefix}-igw"
  }
}

resource "aws_eip" "nat" {
  domain = "vpc"

  tags = {
    Name = "${var.name_prefix}-nat"
  }

  depends_on = [aws_internet_gateway.main]
}

# The private hosts install Debian packages and reach SSM through it; nothing can connect in.
resource "aws_nat_gateway" "main" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id

  tags = {
    Name = "${var.name_prefix}-nat"
  }

  depends_on = [aws_internet_gateway.main]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "${var.name_prefix}-public"
  }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.main.id
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "${var.name_prefix}-private"
  }
}

resource "aws_route" "private_nat" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.main.id
}

resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}

# A gateway endpoint costs nothing and keeps the package download off the NAT gateway (whose
# traffic is billed per GB).
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.public.id, aws_route_table.private.id]

  tags = {
    Name = "${var.name_prefix}-s3"
  }
}
