CREATE TABLE accounts (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL, tenant INTEGER NOT NULL, CONSTRAINT uq_accounts_tenant_email UNIQUE (tenant, email));
