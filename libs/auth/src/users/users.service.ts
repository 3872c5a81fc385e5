import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DomainError, notFound } from '@app/common';
import { Database } from '@app/db';
import type { Principal } from '../roles';
import { AccessChanges } from '../access/access-changes';
import { PasswordHasher } from './password-hasher';
import type { User } from './user';
import { UsersRepository } from './users.repository';
import type { ChangePasswordDto, CreateUserDto, UpdateUserDto, UserView } from './dto/user.dto';
import { UserChangeEvents, type UserChangeActor } from './user-change-events';

export const toUserView = (u: User): UserView => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  role: u.role,
  jurisdictions: u.jurisdictions,
  active: u.active,
  createdAt: u.createdAt.toISOString(),
});

export const toPrincipal = (u: User): Principal => ({
  userId: u.id,
  email: u.email,
  displayName: u.displayName,
  role: u.role,
  jurisdictions: u.jurisdictions,
});

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);
  /** Compared against when the e-mail is unknown, so response time does not reveal which accounts exist. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly database: Database,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly accessChanges: AccessChanges,
    /** Provided by the audit trail when it is loaded (api process); otherwise nothing is recorded. */
    @Optional() private readonly changes: UserChangeEvents = new UserChangeEvents(),
  ) {}

  /**
   * The first admin comes from BOOTSTRAP_ADMIN_EMAIL / BOOTSTRAP_ADMIN_PASSWORD; created once, never overwritten. Its
   * password sits in the environment, so it is temporary: the first sign-in must replace it (unless turned off).
   */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.auth.bootstrapAdmin;
    if (!admin) return;
    const hash = await this.hasher.hash(admin.password);
    const created = await this.users.insertBootstrapAdmin(admin.email, hash, admin.mustChangePassword);
    if (created) this.logger.log(`created the first admin ${admin.email}`);
  }

  /** The user for these credentials, or null. */
  async authenticate(email: string, password: string): Promise<User | null> {
    const found = await this.users.findWithPasswordByEmail(email);
    if (!found || !found.user.active) {
      this.dummyHash ??= this.hasher.hash('not-a-real-password');
      await this.hasher.verify(password, await this.dummyHash);
      return null;
    }
    return (await this.hasher.verify(password, found.passwordHash)) ? found.user : null;
  }

  async list(): Promise<UserView[]> {
    return (await this.users.list()).map(toUserView);
  }

  async get(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw notFound('User', id);
    return user;
  }

  /** `actor` (the admin making the change) is recorded with the change, in the same transaction. */
  async create(dto: CreateUserDto, actor?: UserChangeActor): Promise<UserView> {
    if (await this.users.emailExists(dto.email)) throw new DomainError('conflict', `A user with e-mail ${dto.email} already exists.`);
    const passwordHash = await this.hasher.hash(dto.password);
    return this.database.transaction(async (tx) => {
      const user = await this.users.insert(tx, {
        email: dto.email.toLowerCase(),
        displayName: dto.displayName,
        passwordHash,
        role: dto.role,
        jurisdictions: dto.jurisdictions ?? [],
      });
      const view = toUserView(user);
      if (actor) await this.changes.created(tx, actor, view);
      return view;
    });
  }

  /**
   * An admin's change to a user. Deactivating, or changing the role, jurisdictions or password, ends every token the
   * user holds (their token version moves on), in every process within seconds.
   */
  async update(id: string, dto: UpdateUserDto, actor?: UserChangeActor): Promise<{ before: UserView; after: UserView }> {
    const passwordHash = dto.password !== undefined ? await this.hasher.hash(dto.password) : undefined;
    const result = await this.database.transaction(async (tx) => {
      const locked = await this.users.lock(tx, id);
      if (!locked) throw notFound('User', id);
      const before = toUserView(locked);
      const user: User = { ...locked };
      if (dto.displayName !== undefined) user.displayName = dto.displayName;
      if (dto.role !== undefined) user.role = dto.role;
      if (dto.jurisdictions !== undefined) user.jurisdictions = dto.jurisdictions;
      if (dto.active !== undefined) user.active = dto.active;
      const endsTokens =
        before.active !== user.active || before.role !== user.role || !sameSet(before.jurisdictions, user.jurisdictions) || passwordHash !== undefined;
      if (endsTokens) user.tokenVersion += 1;
      // Nothing to write when nothing changed (updated_at stays).
      const changed =
        passwordHash !== undefined || before.displayName !== user.displayName || !sameList(locked.jurisdictions, user.jurisdictions) || endsTokens;
      const after = toUserView(changed ? await this.users.update(tx, user, passwordHash) : user);
      if (actor) await this.changes.updated(tx, actor, { before, after, passwordChanged: passwordHash !== undefined });
      return { before, after, endsTokens };
    });
    if (result.endsTokens) await this.accessChanges.publish({ kind: 'user', userId: id });
    return { before: result.before, after: result.after };
  }

  /**
   * A user replaces their own password (a temporary one included) after proving the current one. Their other tokens
   * end; the caller issues a fresh one from the returned user.
   */
  async changeOwnPassword(principal: Principal, dto: ChangePasswordDto, ip?: string): Promise<User> {
    const found = await this.users.findWithPasswordById(principal.userId);
    if (!found || !(await this.hasher.verify(dto.currentPassword, found.passwordHash))) {
      throw new DomainError('forbidden', 'The current password is wrong.');
    }
    if (await this.hasher.verify(dto.newPassword, found.passwordHash)) {
      throw new DomainError('validation_failed', 'The new password must differ from the current one.', {
        errors: [{ field: 'newPassword', message: 'must differ from the current password' }],
      });
    }
    const passwordHash = await this.hasher.hash(dto.newPassword);
    const user = await this.database.transaction(async (tx) => {
      const locked = await this.users.lock(tx, principal.userId);
      if (!locked) throw notFound('User', principal.userId);
      const before = toUserView(locked);
      const saved = await this.users.update(tx, { ...locked, mustChangePassword: false, tokenVersion: locked.tokenVersion + 1 }, passwordHash);
      await this.changes.updated(tx, { principal, ip }, { before, after: toUserView(saved), passwordChanged: true });
      return saved;
    });
    await this.accessChanges.publish({ kind: 'user', userId: user.id });
    return user;
  }
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
