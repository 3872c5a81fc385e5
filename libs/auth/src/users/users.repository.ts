import { Injectable } from '@nestjs/common';
import { Database, type Transaction } from '@app/db';
import type { Role } from '../roles';
import type { NewUser, User, UserAccess } from './user';

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  jurisdictions: string[];
  active: boolean;
  token_version: number;
  must_change_password: boolean;
  created_at: Date;
  updated_at: Date;
}

interface UserWithPasswordRow extends UserRow {
  password_hash: string;
}

interface AccessRow {
  active: boolean;
  token_version: number;
  must_change_password: boolean;
}

const USER_COLUMNS = 'id, email, display_name, role, jurisdictions, active, token_version, must_change_password, created_at, updated_at';

const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  jurisdictions: r.jurisdictions,
  active: r.active,
  tokenVersion: r.token_version,
  mustChangePassword: r.must_change_password,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toUserWithPassword = (r: UserWithPasswordRow): { user: User; passwordHash: string } => ({ user: toUser(r), passwordHash: r.password_hash });

const toAccess = (r: AccessRow): UserAccess => ({ active: r.active, tokenVersion: r.token_version, mustChangePassword: r.must_change_password });

/** app_user. E-mail addresses are unique regardless of case (the index is on lower(email)). */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  /** Creates the first admin unless a user with this e-mail exists; true when it was created. */
  async insertBootstrapAdmin(email: string, passwordHash: string, mustChangePassword: boolean): Promise<boolean> {
    const inserted = await this.db.query<{ id: string }>(
      `INSERT INTO app_user (email, display_name, password_hash, role, must_change_password) VALUES ($1, 'Administrator', $2, 'admin', $3)
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
      [email, passwordHash, mustChangePassword],
    );
    return inserted.length > 0;
  }

  /** The user with this e-mail (any case) and their password hash, for sign-in. */
  async findWithPasswordByEmail(email: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const row = await this.db.queryOne<UserWithPasswordRow>(`SELECT ${USER_COLUMNS}, password_hash FROM app_user WHERE lower(email) = lower($1)`, [email]);
    return row ? toUserWithPassword(row) : undefined;
  }

  /** The user and their password hash, for a password change. */
  async findWithPasswordById(id: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const row = await this.db.queryOne<UserWithPasswordRow>(`SELECT ${USER_COLUMNS}, password_hash FROM app_user WHERE id = $1`, [id]);
    return row ? toUserWithPassword(row) : undefined;
  }

  async emailExists(email: string): Promise<boolean> {
    return (await this.db.queryOne<{ found: number }>(`SELECT 1 AS found FROM app_user WHERE lower(email) = lower($1) LIMIT 1`, [email])) !== undefined;
  }

  /** Every user, by e-mail. */
  async list(): Promise<User[]> {
    return (await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user ORDER BY email ASC`)).map(toUser);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.queryOne<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = $1`, [id]);
    return row ? toUser(row) : undefined;
  }

  /** The user, with the row locked for the rest of the transaction. */
  async lock(tx: Transaction, id: string): Promise<User | undefined> {
    const row = await tx.queryOne<UserRow>(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = $1 LIMIT 1 FOR UPDATE`, [id]);
    return row ? toUser(row) : undefined;
  }

  async insert(tx: Transaction, user: NewUser): Promise<User> {
    const row = await tx.queryOne<UserRow>(
      `INSERT INTO app_user (email, display_name, password_hash, role, jurisdictions) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
      [user.email, user.displayName, user.passwordHash, user.role, user.jurisdictions],
    );
    if (!row) throw new Error('INSERT INTO app_user returned no row');
    return toUser(row);
  }

  /** Writes the user's changeable fields (and a new password hash when given); returns the user as stored. */
  async update(tx: Transaction, user: User, passwordHash?: string): Promise<User> {
    const row = await tx.queryOne<UserRow>(
      `UPDATE app_user SET display_name = $2, role = $3, jurisdictions = $4, active = $5, token_version = $6, must_change_password = $7,
              password_hash = COALESCE($8, password_hash), updated_at = now()
        WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [user.id, user.displayName, user.role, user.jurisdictions, user.active, user.tokenVersion, user.mustChangePassword, passwordHash ?? null],
    );
    if (!row) throw new Error(`app_user ${user.id} vanished while locked`);
    return toUser(row);
  }

  /** What decides whether the user's tokens still work; undefined for a user that does not exist. */
  async access(userId: string): Promise<UserAccess | undefined> {
    const row = await this.db.queryOne<AccessRow>(`SELECT active, token_version, must_change_password FROM app_user WHERE id = $1`, [userId]);
    return row ? toAccess(row) : undefined;
  }
}
