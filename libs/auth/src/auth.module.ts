import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessChanges } from './access/access-changes';
import { AuthGuard } from './access/auth.guard';
import { UserAccessState } from './access/user-access-state';
import { AuthController } from './auth.controller';
import { KeysController } from './tokens/keys.controller';
import { SignInThrottle } from './sign-in-throttle';
import { ServerKeysRepository } from './tokens/server-keys.repository';
import { ServerKeysService } from './tokens/server-keys.service';
import { TokenService } from './tokens/token.service';
import { PasswordHasher } from './users/password-hasher';
import { UsersController } from './users/users.controller';
import { UsersRepository } from './users/users.repository';
import { UsersService } from './users/users.service';

/** The server's signing keys: what a process that signs audit checkpoints (the worker) needs. */
@Module({ providers: [ServerKeysRepository, ServerKeysService], exports: [ServerKeysService] })
export class ServerKeysModule {}

/** Publishing and hearing access changes (deactivations, role changes, removals from an incident). */
@Module({ providers: [AccessChanges], exports: [AccessChanges] })
export class AccessChangesModule {}

/** Token issue and verification, with the users' current access state: the api's guard, live gateway, dashboard. */
@Module({
  imports: [ServerKeysModule, AccessChangesModule],
  providers: [UsersRepository, TokenService, UserAccessState],
  exports: [ServerKeysModule, AccessChangesModule, TokenService, UsersRepository],
})
export class TokensModule {}

/** Users, sign-in and the global guard (api process). */
@Module({
  imports: [TokensModule],
  controllers: [AuthController, UsersController, KeysController],
  // SignInEvents and UserChangeEvents are not provided here: the audit module provides them globally, and without
  // it the services fall back to the no-op defaults (a local provider would shadow the global one).
  providers: [PasswordHasher, UsersService, SignInThrottle, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokensModule, UsersService],
})
export class AuthModule {}
