import { Body, Controller, Get, Ip, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiProblems, ApiSuccess } from '@app/common';
import { CurrentUser, Roles } from '../access/access.decorators';
import type { Principal } from '../roles';
import { CreateUserDto, UpdateUserDto, UserDto, type UserView } from './dto/user.dto';
import { toUserView, UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
@Roles('admin')
@ApiProblems(401, 403)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiSuccess([UserDto], { description: 'Every user.' })
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Get(':id')
  @ApiSuccess(UserDto, { description: 'The user.' })
  @ApiProblems(400, 404)
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.get(id));
  }

  @Post()
  @ApiSuccess(UserDto, { status: 201, description: 'The user is created.' })
  @ApiProblems(400)
  @ApiProblem('conflict', 'A user with this e-mail already exists.')
  create(@Body() dto: CreateUserDto, @CurrentUser() principal: Principal, @Ip() ip: string): Promise<UserView> {
    return this.users.create(dto, { principal, ip });
  }

  @Patch(':id')
  @ApiSuccess(UserDto, { description: 'The user as changed.' })
  @ApiProblems(400, 404)
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateUserDto, @CurrentUser() principal: Principal, @Ip() ip: string): Promise<UserView> {
    return (await this.users.update(id, dto, { principal, ip })).after;
  }
}
