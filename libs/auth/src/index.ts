/**
 * @app/auth: users and roles, passwords (scrypt), access tokens (EdDSA via jose) that end when access changes, the
 * server's signing keys (per purpose, never in clear in the database) and JWKS, and the one guard that enforces
 * authentication, role and incident scope on every route.
 * Imports only @app/config, @app/common and @app/db.
 */
export * from './roles';
export * from './access/access.decorators';
export * from './access/auth.guard';
export * from './access/incident-access';
export * from './access/access-changes';
export * from './access/user-access-state';
export * from './tokens/server-keys.repository';
export * from './tokens/server-keys.service';
export * from './tokens/signing-keys';
export * from './tokens/keys.controller';
export * from './tokens/token.service';
export * from './users/user';
export * from './users/users.service';
export * from './users/password-hasher';
export * from './users/dto/user.dto';
export * from './dto/auth.dto';
export * from './sign-in-events';
export * from './users/user-change-events';
export * from './auth.module';
