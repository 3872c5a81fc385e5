import type { Role } from '../roles';

/** A user of the system (app_user). The password hash is never part of it: only sign-in and password changes read it. */
export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  jurisdictions: string[];
  active: boolean;
  /** Carried in access tokens; moved on when the user's access changes, which ends every token issued before. */
  tokenVersion: number;
  mustChangePassword: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What a new user is created with. */
export interface NewUser {
  email: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  jurisdictions: string[];
}

/** What decides whether a user's token still works. */
export interface UserAccess {
  active: boolean;
  /** Tokens carry the version they were issued under; any other version is refused. */
  tokenVersion: number;
  /** A temporary password: the user may only choose a new one. */
  mustChangePassword: boolean;
}
