import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthGuard } from './access/auth.guard';
import { AuthController } from './auth.controller';
import { SignInThrottle } from './sign-in-throttle';
import { ServerKeys } from './tokens/server-keys.service';
import { TokenService } from './tokens/token.service';
import { PasswordHasher } from './users/password-hasher';
import { UserEntity } from './users/user.entity';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** Server keys and token verification: what every process (api, worker) needs. */
@Module({ providers: [ServerKeys, TokenService], exports: [ServerKeys, TokenService] })
export class TokensModule {}

/** Users, sign-in and the global guard (api process). */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), TokensModule],
  controllers: [AuthController, UsersController],
  // SignInEvents and UserChangeEvents are not provided here: the audit module provides them globally, and without
  // it the services fall back to the no-op defaults (a local provider would shadow the global one).
  providers: [PasswordHasher, UsersService, SignInThrottle, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokensModule, UsersService],
})
export class AuthModule {}
