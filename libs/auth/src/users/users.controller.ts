import { Body, Controller, Get, Ip, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../access/access.decorators';
import type { Principal } from '../roles';
import { CreateUserDto, UpdateUserDto, type UserView } from './dto/user.dto';
import { toUserView, UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.get(id));
  }

  @Post()
  create(@Body() dto: CreateUserDto, @CurrentUser() principal: Principal, @Ip() ip: string): Promise<UserView> {
    return this.users.create(dto, { principal, ip });
  }

  @Patch(':id')
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentUser() principal: Principal,
    @Ip() ip: string,
  ): Promise<UserView> {
    return (await this.users.update(id, dto, { principal, ip })).after;
  }
}
